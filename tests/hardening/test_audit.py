"""The audit trail: every change recorded (who, when, what), shown to the accelerator's program admins."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import history as audit
from challenges.models import Blocker
from members.models import AcceleratorRole, Membership
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CheckInFactory,
    CohortFactory,
    GrantFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture
def admin(db):
    accelerator = AcceleratorFactory(slug="audited")
    return GrantFactory(
        accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN, user__full_name="Aziza Admin"
    ).user


def edit(obj, by, **changes):
    """Save as `by` would through a page (the middleware sets the same attribute)."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj._history_user = by
    obj.save()


@pytest.mark.django_db
def test_it_shows_who_changed_what_on_a_challenge_and_its_rows(client, admin):
    challenge = ChallengeFactory(cohort__accelerator=admin.grants.get().accelerator, title="Shorter queues")
    lead = MembershipFactory(challenge=challenge, role=Membership.Role.TEAM_LEAD, user__full_name="Lola Lead").user
    edit(challenge, admin, title="Shorter queues at the registry", target_value=Decimal("15"))
    CheckInFactory(challenge=challenge, author=lead, done="Opened a second window")
    Blocker.objects.create(challenge=challenge, raised_by=lead, description="Budget not released")

    client.force_login(admin)
    response = client.get(reverse("challenge_history", kwargs={"challenge_id": challenge.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aziza Admin" in page
    assert "Shorter queues at the registry" in page and '<del dir="auto">Shorter queues</del>' in page
    assert "Opened a second window" in page  # check-in created, with its text
    assert "Budget not released" in page
    assert "Lola Lead" in page  # the seat shows the person's name, not an id

    entries = response.context["entries"]
    title_change = next(e for e in entries if e.kind == "~" and e.model_label == "challenge")
    assert title_change.who == admin
    labels = {c.label: (c.old, c.new) for c in title_change.changes}
    assert labels["title"] == ("Shorter queues", "Shorter queues at the registry")
    assert labels["target"] == ("20", "15")
    assert "metric" not in labels  # only what changed


@pytest.mark.django_db
def test_it_records_the_signed_in_person_for_changes_made_through_pages(client, admin):
    person = UserFactory(full_name="Rustam Reader")
    MembershipFactory(challenge__cohort__accelerator=admin.grants.get().accelerator, user=person)
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "uz", "next": "/"})
    record = person.history.latest()
    assert record.history_user == person
    assert record.diff_against(record.prev_record).changed_fields == ["preferred_language"]

    client.cookies.clear()  # read the page in English, as the admin
    client.force_login(admin)
    response = client.get(reverse("accelerator_history", kwargs={"slug": "audited"}))
    assert response.status_code == 200
    change = next(e for e in response.context["entries"] if e.object_id == person.pk and e.kind == "~")
    assert change.who == person
    assert [(c.label, c.new) for c in change.changes] == [("preferred language", "Uzbek")]


@pytest.mark.django_db
def test_it_shows_a_cohorts_challenges_and_withdrawals(client, admin):
    cohort = CohortFactory(accelerator=admin.grants.get().accelerator)
    challenge = ChallengeFactory(cohort=cohort, title="One digital ID")
    edit(challenge, admin, withdrawn_reason="Merged into another challenge")
    client.force_login(admin)
    response = client.get(reverse("cohort_history", kwargs={"cohort_id": cohort.pk}))
    assert response.status_code == 200
    assert "One digital ID" in response.content.decode()
    assert "Merged into another challenge" in response.content.decode()


@pytest.mark.django_db
def test_it_escapes_what_people_typed(client, admin):
    challenge = ChallengeFactory(cohort__accelerator=admin.grants.get().accelerator)
    edit(challenge, admin, title='<script>alert(1)</script>"><img src=x onerror=alert(1)>')
    client.force_login(admin)
    page = client.get(reverse("challenge_history", kwargs={"challenge_id": challenge.pk})).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["official", "coach"])
def test_it_refuses_people_who_are_not_program_admins(client, admin, role):
    accelerator = admin.grants.get().accelerator
    challenge = ChallengeFactory(cohort__accelerator=accelerator)
    client.force_login(GrantFactory(accelerator=accelerator, role=role).user)
    assert client.get(reverse("challenge_history", kwargs={"challenge_id": challenge.pk})).status_code == 403
    assert client.get(reverse("cohort_history", kwargs={"cohort_id": challenge.cohort_id})).status_code == 403


@pytest.mark.django_db
def test_it_hides_another_accelerators_history_from_its_admins(client, admin):
    other = ChallengeFactory(cohort__accelerator=AcceleratorFactory(slug="elsewhere"))
    client.force_login(admin)
    assert client.get(reverse("challenge_history", kwargs={"challenge_id": other.pk})).status_code == 404
    assert client.get(reverse("accelerator_history", kwargs={"slug": "elsewhere"})).status_code == 404


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_it_runs_a_constant_number_of_queries(client, admin):
    challenge = ChallengeFactory(cohort__accelerator=admin.grants.get().accelerator)
    url = reverse("challenge_history", kwargs={"challenge_id": challenge.pk})
    client.force_login(admin)

    def grow(n):
        for _ in range(n):
            author = MembershipFactory(challenge=challenge).user
            checkin = CheckInFactory(challenge=challenge, author=author)
            edit(checkin, admin, done="Revised")
            Blocker.objects.create(challenge=challenge, raised_by=author, description="Waiting")

    grow(2)
    small = _queries_for(client, url)
    grow(8)
    assert _queries_for(client, url) == small


@pytest.mark.django_db
def test_the_selector_diffs_each_record_against_the_previous_one_of_the_same_object(admin):
    challenge = ChallengeFactory(cohort__accelerator=admin.grants.get().accelerator, unit="days")
    first, second = CheckInFactory(challenge=challenge, period=1), CheckInFactory(challenge=challenge, period=2)
    edit(first, admin, value=Decimal("30"))
    edit(second, admin, confidence=5)
    edit(first, admin, value=Decimal("28"))
    changes = [
        [(c.label, c.old, c.new) for c in e.changes] for e in audit.challenge_history(challenge) if e.kind == "~"
    ]
    assert changes == [
        [("metric value", "30", "28")],
        [("confidence", "3", "5")],
        [("metric value", "35", "30")],
    ]


@pytest.mark.django_db
def test_it_shows_check_in_corrections_made_through_the_service(client, admin):
    from datetime import timedelta

    from challenges import services

    accelerator = admin.grants.get().accelerator
    lead = UserFactory(full_name="Lola Lead")
    today = accelerator.local_today()
    challenge = ChallengeFactory(
        cohort__accelerator=accelerator,
        cohort__launch_date=today - timedelta(days=10),
        cohort__design_start=today - timedelta(days=40),
    )
    MembershipFactory(challenge=challenge, user=lead, role=Membership.Role.TEAM_LEAD)
    submit = getattr(services, "checkin_submit", None)
    if submit is None:
        pytest.skip("no check-in service yet")
    submit(challenge=challenge, by=lead, value=Decimal("38"), done="First try", confidence=3)
    submit(challenge=challenge, by=lead, value=Decimal("37"), done="Second try", confidence=4)

    client.force_login(admin)
    entries = client.get(reverse("challenge_history", kwargs={"challenge_id": challenge.pk})).context["entries"]
    correction = next(e for e in entries if e.model_label == "check-in" and e.kind == "~")
    assert correction.who == lead
    changes = {c.label: (c.old, c.new) for c in correction.changes}
    assert changes["what was done"] == ("First try", "Second try")
    assert changes["metric value"] == ("38", "37")
