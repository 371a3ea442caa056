"""Fixing drafts (name and dates, deleting a cohort, challenge or candidate) and correcting a launched challenge."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.history import challenge_history, cohort_history
from challenges.models import Challenge
from cohorts.models import Cohort
from cohorts.services import edit_token
from members.models import AcceleratorRole, Membership
from program_admin.models import CandidateChallenge
from tests.factories import (
    CandidateFactory,
    ChallengeFactory,
    CohortFactory,
    EntityFactory,
    GrantFactory,
    MembershipFactory,
    UserFactory,
)
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(client):
    journey = build_journey(design_start=date(2030, 5, 1), launch_date=date(2030, 6, 1))
    client.force_login(journey.admin)
    return journey


def _edit(client, cohort, **fields):
    data = {
        "name": cohort.name,
        "design_start": cohort.design_start.isoformat(),
        "launch_date": cohort.launch_date.isoformat(),
        "token": edit_token(cohort.updated_at),
    }
    return client.post(reverse("manage_cohort_edit", args=[cohort.pk]), data | fields)


# --- A draft's name and dates ---------------------------------------------------------------------


def test_it_renames_a_draft_and_moves_its_dates(client, journey):
    response = _edit(client, journey.cohort, name="الدفعة الثانية", launch_date="2030-06-15")
    assert response.status_code == 302
    cohort = Cohort.objects.get(pk=journey.cohort.pk)
    assert (cohort.name, cohort.launch_date) == ("الدفعة الثانية", date(2030, 6, 15))
    record = Cohort.history.filter(id=cohort.pk).latest("history_date")
    assert record.history_user == journey.admin


def test_it_checks_the_dates_as_creation_does(client, journey):
    response = _edit(client, journey.cohort, design_start="2030-07-01")
    assert response.status_code == 422
    assert "The design start must be on or before the launch day." in response.content.decode()
    response = _edit(client, journey.cohort, launch_date="1999-01-01", design_start="1999-01-01")
    assert response.status_code == 422
    response = _edit(client, journey.cohort, name="two\nlines")
    assert response.status_code == 422
    assert Cohort.objects.get(pk=journey.cohort.pk).launch_date == date(2030, 6, 1)


def test_a_stale_form_never_overwrites_a_newer_save(client, journey):
    opened = Cohort.objects.get(pk=journey.cohort.pk)  # the form the second admin opened
    assert _edit(client, journey.cohort, name="First save").status_code == 302
    response = _edit(client, opened, name="Second save")
    assert response.status_code == 422
    assert "Someone else changed this cohort" in response.content.decode()
    assert Cohort.objects.get(pk=journey.cohort.pk).name == "First save"
    assert "First save" in response.content.decode()  # the current values are shown


def test_a_launched_cohort_keeps_its_dates(client, journey):
    launched = CohortFactory(accelerator=journey.accelerator)
    response = _edit(client, launched, name="Renamed")
    assert response.status_code == 422 and 'data-testid="launched"' in response.content.decode()
    assert Cohort.objects.get(pk=launched.pk).name != "Renamed"


# --- Deleting ------------------------------------------------------------------------------------


def test_deleting_a_draft_asks_first_and_works_without_javascript(client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort, title="Shorter visa wait")
    MembershipFactory(challenge=challenge, role=Membership.Role.COACH)
    picked = CandidateFactory(accelerator=journey.accelerator, title="Shorter visa wait", challenge=challenge)
    proposed = CandidateFactory(accelerator=journey.accelerator, title="Grid connection", cohort=journey.cohort)
    url = reverse("manage_cohort_delete", args=[journey.cohort.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Delete the draft cohort?" in page.content.decode()
    assert client.post(url, {}).status_code == 422  # the box was not ticked: nothing goes
    assert Cohort.objects.filter(pk=journey.cohort.pk).exists()
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert not Cohort.objects.filter(pk=journey.cohort.pk).exists()
    assert not Challenge.objects.filter(pk=challenge.pk).exists()
    picked.refresh_from_db()
    proposed.refresh_from_db()
    assert picked.challenge is None and proposed.cohort is None  # back on the list
    deleted = Cohort.history.filter(id=journey.cohort.pk, history_type="-").get()
    assert deleted.history_user == journey.admin


def test_a_launched_cohort_or_its_challenge_cannot_be_deleted(client, journey):
    launched = CohortFactory(accelerator=journey.accelerator)
    challenge = ChallengeFactory(cohort=launched)
    assert client.post(reverse("manage_cohort_delete", args=[launched.pk]), {"confirm": "on"}).status_code == 422
    assert client.post(reverse("manage_challenge_delete", args=[challenge.pk]), {"confirm": "on"}).status_code == 422
    assert Cohort.objects.filter(pk=launched.pk).exists() and Challenge.objects.filter(pk=challenge.pk).exists()


def test_it_deletes_a_draft_challenge(client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    url = reverse("manage_challenge_delete", args=[challenge.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert not Challenge.objects.filter(pk=challenge.pk).exists()
    assert any(entry.kind == "-" for entry in cohort_history(journey.cohort))


def test_it_deletes_a_candidate_but_not_a_picked_one(client, journey):
    open_one = CandidateFactory(accelerator=journey.accelerator)
    picked = CandidateFactory(accelerator=journey.accelerator, challenge=ChallengeFactory(cohort=journey.cohort))
    url = reverse("manage_candidate_delete", args=[journey.accelerator.slug, open_one.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert not CandidateChallenge.objects.filter(pk=open_one.pk).exists()
    url = reverse("manage_candidate_delete", args=[journey.accelerator.slug, picked.pk])
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 422 and "became a challenge" in response.content.decode()
    assert CandidateChallenge.objects.filter(pk=picked.pk).exists()


def test_an_admin_of_another_accelerator_finds_nothing_to_delete(client, journey):
    other = GrantFactory(role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    client.force_login(other)
    assert client.post(reverse("manage_cohort_delete", args=[journey.cohort.pk]), {"confirm": "on"}).status_code == 404
    assert Cohort.objects.filter(pk=journey.cohort.pk).exists()


# --- Correcting a launched challenge --------------------------------------------------------------


@pytest.fixture
def launched(journey):
    cohort = CohortFactory(accelerator=journey.accelerator, launch_date=date(2026, 3, 1))
    challenge = ChallengeFactory(cohort=cohort, title="Shorter visa wait", unit="days")
    coach = MembershipFactory(challenge=challenge, role=Membership.Role.COACH).user
    return challenge, coach


def _correct(client, challenge, **fields):
    challenge = Challenge.objects.get(pk=challenge.pk)
    data = {
        "title": challenge.title,
        "goal_statement": challenge.goal_statement,
        "lead_entity": challenge.lead_entity_id,
        "metric": challenge.metric,
        "unit": challenge.unit,
        "unit_kind": challenge.unit_kind,
        "baseline_value": str(challenge.baseline_value),
        "baseline_period": challenge.baseline_period,
        "target_value": str(challenge.target_value),
        "token": edit_token(challenge.updated_at),
        "reason": "",
    }
    return client.post(reverse("manage_challenge_correct", args=[challenge.pk]), data | fields)


def test_it_corrects_the_wording_unit_and_partners_after_launch(client, journey, launched):
    challenge, _coach = launched
    partner = EntityFactory(accelerator=journey.accelerator, name="Ministry of Finance")
    response = _correct(
        client, challenge, metric="Median waiting time", unit="working days", partner_entities=[partner.pk]
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert (challenge.metric, challenge.unit) == ("Median waiting time", "working days")
    assert list(challenge.partner_entities.all()) == [partner]
    entry = next(e for e in challenge_history(challenge) if e.model_label == "challenge" and e.kind == "~")
    assert entry.who == journey.admin
    assert {change.label for change in entry.changes} >= {"metric", "unit"}
    assert "Ministry of Finance" in entry.reason


def test_moving_the_goal_after_launch_needs_a_reason(client, journey, launched):
    challenge, _coach = launched
    response = _correct(client, challenge, target_value="15")
    assert response.status_code == 422
    assert "say why" in response.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).target_value == Decimal("20")
    response = _correct(client, challenge, target_value="15", reason="The ministry raised the ambition")
    assert response.status_code == 302
    assert Challenge.objects.get(pk=challenge.pk).target_value == Decimal("15")
    entry = next(e for e in challenge_history(challenge) if e.reason)
    assert entry.reason == "The ministry raised the ambition"
    assert [(c.old, c.new) for c in entry.changes if c.label == "target"] == [("20", "15")]


def test_the_chart_marks_the_day_the_goal_moved(client, journey, launched):
    challenge, _coach = launched
    assert _correct(client, challenge, baseline_value="42", reason="Baseline re-measured").status_code == 302
    page = client.get(reverse("challenge_detail", args=[challenge.pk])).content.decode()
    assert "data-goal-change=" in page
    assert "baseline 40 → 42" in page and "Baseline re-measured" in page


def test_the_goal_rules_still_hold(client, journey, launched):
    challenge, _coach = launched
    response = _correct(client, challenge, target_value="50", reason="typo")  # a decrease goal cannot rise
    assert response.status_code == 422
    assert Challenge.objects.get(pk=challenge.pk).target_value == Decimal("20")


def test_a_stale_correction_is_refused(client, journey, launched):
    challenge, _coach = launched
    token = edit_token(Challenge.objects.get(pk=challenge.pk).updated_at)
    assert _correct(client, challenge, metric="First").status_code == 302
    response = _correct(client, challenge, metric="Second", token=token)
    assert response.status_code == 422 and "Someone else changed this challenge" in response.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).metric == "First"


def test_it_replaces_the_coach_and_sets_a_sponsor(client, journey, launched, django_capture_on_commit_callbacks):
    challenge, old_coach = launched
    new_coach = UserFactory(email="new.coach@example.org", entity=journey.entities["justice"])
    with django_capture_on_commit_callbacks(execute=False):
        response = _correct(client, challenge, coach="new.coach@example.org", sponsor="sponsor@example.org")
    assert response.status_code == 302
    seats = {(s.role, s.user.email) for s in Membership.objects.filter(challenge=challenge).select_related("user")}
    assert seats == {("coach", new_coach.email), ("sponsor", "sponsor@example.org")}
    removed = Membership.history.filter(challenge_id=challenge.pk, user_id=old_coach.pk, history_type="-").get()
    assert removed.history_user == journey.admin


def test_a_withdrawn_challenge_is_not_corrected(client, journey, launched):
    challenge, _coach = launched
    Challenge.objects.filter(pk=challenge.pk).update(withdrawn_at="2026-04-01T00:00Z", withdrawn_reason="merged")
    response = _correct(client, challenge, metric="Anything")
    assert response.status_code == 422 and "can no longer be corrected" in response.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).metric == "Waiting time"
