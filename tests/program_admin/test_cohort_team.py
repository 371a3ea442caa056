"""The cohort team page: every challenge's seats in one form; replacing and removing confirmed, undone."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.models import Invitation, Membership, SeatRemoval
from members.services import TeamLeadTaken, challenge_seat_add, seat_removal_undo
from tests.factories import ChallengeFactory, MembershipFactory
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    return build_journey()


@pytest.fixture
def admin_client(client, journey):
    client.force_login(journey.admin)
    return client


def url(journey):
    return reverse("manage_cohort_team", args=[journey.cohort.pk])


def seats(challenge) -> set[tuple[str, str]]:
    return {(s.user.email, s.role) for s in challenge.memberships.select_related("user")}


def test_every_challenges_team_is_set_in_one_post(admin_client, journey):
    first, second, third = (ChallengeFactory(cohort=journey.cohort, title=t) for t in ("A", "B", "C"))
    data = {
        f"c{first.pk}-team_lead": "lead@example.org",
        f"c{second.pk}-team_lead": "Dilnoza Karimova",  # a known person's full name
        f"c{third.pk}-team_lead": "Nodira Karimova <nodira@soliq.uz>",  # invited
        f"c{first.pk}-coach": "member1@example.org",
        "all-coach": "Aziz Rahimov <coach@example.org>",
        "all-sponsor": "sponsor@example.org",
        "all-member": "member2@example.org",
    }
    response = admin_client.post(url(journey), data)
    assert response.status_code == 302
    assert seats(first) == {
        ("lead@example.org", "team_lead"),
        ("member1@example.org", "coach"),  # its own coach: the row for every challenge fills only gaps
        ("sponsor@example.org", "sponsor"),
        ("member2@example.org", "member"),
    }
    assert ("lead@example.org", "team_lead") in seats(second) and ("coach@example.org", "coach") in seats(second)
    assert ("nodira@soliq.uz", "team_lead") in seats(third)
    invitation = Invitation.objects.get(user__email="nodira@soliq.uz")
    assert invitation.full_name == "Nodira Karimova" and invitation.sent_at is None
    page = admin_client.get(url(journey)).content.decode()
    assert "<bdi>Nodira Karimova</bdi>" in page, "the typed name, not only the address"
    history = Membership.history.filter(challenge_id=first.pk, history_type="+")
    assert history.count() == 4 and {h.history_user for h in history} == {journey.admin}


def test_bad_people_are_reported_beside_their_field_and_nothing_is_saved(admin_client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    data = {
        f"c{challenge.pk}-team_lead": "nobody@soliq.uz",
        f"c{challenge.pk}-member": "Ann <ann@@x>; member1@example.org",
        f"c{challenge.pk}-sponsor": "lead@example.org; coach@example.org",
    }
    response = admin_client.post(url(journey), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "“nobody@soliq.uz” is not on the platform yet" in page
    assert "“ann@@x” is not an e-mail address." in page
    assert 'value="Ann &lt;ann@@x&gt;; member1@example.org"' in page, "what was typed is kept"
    assert Membership.objects.count() == 0


def test_a_second_team_lead_asks_first_then_replaces_and_undo_gives_the_seat_back(admin_client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    old = MembershipFactory(challenge=challenge, user=journey.people["lead"], role="team_lead")
    response = admin_client.post(url(journey), {f"c{challenge.pk}-team_lead": "coach@example.org"})
    assert response.status_code == 200 and response.context["confirming"]
    page = response.content.decode()
    assert "<bdi>Dilnoza Karimova</bdi> leads it now; <bdi>coach@example.org</bdi> takes their place." in page
    assert challenge.memberships.get(role="team_lead").user == journey.people["lead"], "nothing saved yet"
    kept = dict(response.context["kept"])
    response = admin_client.post(url(journey), {**kept, "state": response.context["state"], "action": "confirm"})
    assert response.status_code == 302
    assert challenge.memberships.get(role="team_lead").user == journey.people["coach"]
    removal = SeatRemoval.objects.get()
    assert (removal.user, removal.replaced_by, removal.removed_by) == (
        journey.people["lead"],
        journey.people["coach"],
        journey.admin,
    )
    deleted = Membership.history.get(id=old.pk, history_type="-")
    assert deleted.history_user == journey.admin and deleted.history_change_reason == "replaced"

    admin_client.post(url(journey), {"action": "undo", "removal": removal.pk})
    admin_client.post(url(journey), {"action": "undo", "removal": removal.pk})  # a double click restores once
    assert challenge.memberships.get(role="team_lead").user == journey.people["lead"]
    assert challenge.memberships.count() == 1
    restored = Membership.history.filter(challenge_id=challenge.pk, history_type="+").latest("history_id")
    assert restored.history_user == journey.admin and restored.history_change_reason == "undo"


def test_a_team_changed_by_someone_else_meanwhile_is_shown_again_not_overwritten(admin_client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    seat = MembershipFactory(challenge=challenge, user=journey.people["member1"], role="member")
    response = admin_client.post(url(journey), {"remove": seat.pk})
    assert response.context["confirming"]
    MembershipFactory(challenge=challenge, user=journey.people["sponsor"], role="sponsor")  # another admin
    kept = dict(response.context["kept"])
    response = admin_client.post(url(journey), {**kept, "state": response.context["state"], "action": "confirm"})
    assert response.status_code == 200 and response.context["confirming"]
    assert "The team changed while you were confirming" in response.content.decode()
    assert challenge.memberships.filter(pk=seat.pk).exists()


def test_removals_without_javascript_confirm_then_undo_until_the_time_is_over(admin_client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    seat = MembershipFactory(challenge=challenge, user=journey.people["member1"], role="member")
    people = reverse("manage_challenge_people", args=[challenge.pk])
    response = admin_client.post(people, {"action": "remove", "seat": seat.pk})
    assert response.status_code == 200 and "Remove this seat?" in response.content.decode()
    assert Membership.objects.filter(pk=seat.pk).exists()
    response = admin_client.post(people, {"action": "remove", "seat": seat.pk, "confirm": "1"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=seat.pk).exists()
    removal = SeatRemoval.objects.get()
    assert 'data-testid="undo"' in admin_client.get(people).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert 'data-testid="undo"' not in admin_client.get(people).content.decode()
        response = admin_client.post(people, {"action": "undo", "removal": removal.pk}, follow=True)
        assert "The time to undo this removal is over" in response.content.decode()
    assert not challenge.memberships.exists()


def test_the_people_page_asks_before_replacing_a_team_lead(admin_client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    MembershipFactory(challenge=challenge, user=journey.people["lead"], role="team_lead")
    people = reverse("manage_challenge_people", args=[challenge.pk])
    data = {"action": "add", "person": journey.people["coach"].pk, "role": "team_lead"}
    response = admin_client.post(people, data)
    assert response.status_code == 200 and "Replace the team lead?" in response.content.decode()
    assert challenge.memberships.get(role="team_lead").user == journey.people["lead"]
    response = admin_client.post(people, {**data, "confirm": "1"})
    assert challenge.memberships.get(role="team_lead").user == journey.people["coach"]


def test_the_service_never_replaces_a_team_lead_silently(journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    MembershipFactory(challenge=challenge, user=journey.people["lead"], role="team_lead")
    with pytest.raises(TeamLeadTaken):
        challenge_seat_add(challenge=challenge, user=journey.people["coach"], role="team_lead", by=journey.admin)
    challenge_seat_add(
        challenge=challenge, user=journey.people["coach"], role="team_lead", by=journey.admin, replace=True
    )
    removal = SeatRemoval.objects.get()
    # Someone else leads now (not the replacement): undo refuses rather than unseat them.
    challenge_seat_add(
        challenge=challenge, user=journey.people["sponsor"], role="team_lead", by=journey.admin, replace=True
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        seat_removal_undo(removal=removal, by=journey.admin)
    assert challenge.memberships.get(role="team_lead").user == journey.people["sponsor"]


def test_suggestions_come_as_a_datalist_for_the_field_being_typed(admin_client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    name = f"c{challenge.pk}-member"
    response = admin_client.get(
        url(journey), {name: "lead@example.org; dilno"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER_NAME=name
    )
    page = response.content.decode()
    assert page.startswith('<datalist id="people-suggestions">')
    assert 'value="lead@example.org; Dilnoza Karimova &lt;lead@example.org&gt;"' in page


def test_a_launched_cohort_s_team_page_only_links_to_replacing(admin_client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort)
    journey.cohort.status = "launched"
    journey.cohort.launched_at = timezone.now()
    journey.cohort.save()
    response = admin_client.post(url(journey), {f"c{challenge.pk}-team_lead": "lead@example.org"})
    assert response.status_code == 200 and not challenge.memberships.exists()
    assert reverse("manage_team_lead_replace", args=[challenge.pk]) in response.content.decode()


def test_the_team_page_s_queries_do_not_grow_with_the_cohort(admin_client, journey, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fill(n):
        for _ in range(n):
            challenge = ChallengeFactory(cohort=journey.cohort)
            MembershipFactory(challenge=challenge, role="team_lead")
            seat = MembershipFactory(challenge=challenge, role="coach")
            SeatRemoval.objects.create(challenge=challenge, user=seat.user, role="member", removed_by=journey.admin)

    fill(2)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(url(journey)).status_code == 200
    fill(12)
    with django_assert_max_num_queries(len(queries)):
        assert admin_client.get(url(journey)).status_code == 200
