"""Blockers: raise (escalated to sponsor and coach on commit, in the app and by e-mail), resolve,
concurrent resolution refused, bad input, who may do it."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from challenges import notifications
from challenges.models import Blocker, Notification
from challenges.services import StaleEdit, blocker_raise, blocker_resolve
from tests.challenges.journey import LAUNCH, make_team, on_day
from tests.factories import BlockerFactory, GrantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


@pytest.fixture
def queued(monkeypatch):
    """The e-mail task's ids as they would be queued on commit (the task body is run by the test)."""
    from challenges import tasks

    ids: list[list[int]] = []
    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda batch: ids.append(batch))
    return ids


def test_raising_notifies_the_sponsor_and_the_coach_on_commit(team, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        blocker = blocker_raise(
            challenge=team.challenge,
            by=team.lead,
            description="The registry will not share data",
            severity="high",
            decision_needed_by=LAUNCH + timedelta(days=20),
            now=on_day(10),
        )
        assert queued == []  # nothing leaves before the commit
    assert blocker.state == Blocker.State.OPEN
    notified = Notification.objects.filter(challenge=team.challenge)
    assert {n.user for n in notified} == {team.sponsor, team.coach}
    assert all("The registry will not share data" in n.message and "high" in n.message for n in notified)
    for callback in callbacks:
        callback()
    assert sorted(queued[0]) == sorted(n.pk for n in notified)
    assert notifications.send_notification_emails(notification_ids=queued[0]) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([team.sponsor.email, team.coach.email])
    assert "The registry will not share data" in mail.outbox[0].body
    # A task delivered twice does not mail twice.
    assert notifications.send_notification_emails(notification_ids=queued[0]) == 0
    assert len(mail.outbox) == 2


def test_the_coach_raising_one_is_not_notified_of_their_own_blocker(team, queued):
    blocker_raise(challenge=team.challenge, by=team.coach, description="No budget line", severity="low")
    assert list(Notification.objects.values_list("user", flat=True)) == [team.sponsor.pk]


def test_a_rolled_back_raise_sends_nothing(team, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            blocker_raise(challenge=team.challenge, by=team.lead, description="  ", severity="low")
    assert (Blocker.objects.count(), Notification.objects.count(), queued) == (0, 0, [])


def test_resolving_closes_it(team):
    blocker = BlockerFactory(challenge=team.challenge, raised_by=team.lead)
    resolved = blocker_resolve(blocker=blocker, by=team.coach, resolution="Minister signed", version=1)
    assert (resolved.state, resolved.resolved_by, resolved.version) == (Blocker.State.RESOLVED, team.coach, 2)


def test_a_second_resolution_from_a_stale_page_is_refused_and_the_first_kept(team):
    blocker = BlockerFactory(challenge=team.challenge, raised_by=team.lead)
    blocker_resolve(blocker=blocker, by=team.lead, resolution="First", version=1)
    with pytest.raises(StaleEdit):
        blocker_resolve(blocker=blocker, by=team.coach, resolution="Second", version=1)
    blocker.refresh_from_db()
    assert (blocker.resolution, blocker.resolved_by) == ("First", team.lead)


def test_the_view_raises_and_redirects(client, team, queued):
    client.force_login(team.lead)
    with time_machine.travel(on_day(10), tick=False):
        response = client.post(
            reverse("blocker_raise", args=[team.challenge.pk]),
            {
                "description": "Procurement stuck",
                "severity": "medium",
                "owner": team.member.pk,
                "decision_needed_by": "2026-03-20",
            },
        )
    assert response.status_code == 302 and response["Location"].endswith("#blockers")
    blocker = Blocker.objects.get()
    assert (blocker.decision_needed_by.isoformat(), blocker.owner) == ("2026-03-20", team.member)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"description": ""}, "description", "Say what is blocking the team."),
        ({"decision_needed_by": "2026-03-05"}, "decision_needed_by", "The due date cannot be in the past."),
        ({"decision_needed_by": "next week"}, "decision_needed_by", "Enter a date, such as 2026-05-31."),
        ({"decision_needed_by": ""}, "decision_needed_by", "Enter the day a decision is needed by."),
        ({"owner": ""}, "owner", "Choose who on the team owns this blocker."),
        ({"owner": "outsider"}, "owner", "Choose a member of this challenge&#x27;s team."),
        ({"severity": "apocalyptic"}, "severity", "Select a valid choice."),
    ],
)
def test_the_view_rejects_bad_input_beside_the_field(client, team, data, field, message):
    client.force_login(team.lead)
    payload = {
        "description": "Procurement stuck",
        "severity": "medium",
        "owner": team.lead.pk,
        "decision_needed_by": "2026-03-20",
        **data,
    }
    if payload["owner"] == "outsider":
        payload["owner"] = UserFactory().pk
    with time_machine.travel(on_day(10), tick=False):
        response = client.post(reverse("blocker_raise", args=[team.challenge.pk]), payload)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in body and message in body
    assert Blocker.objects.count() == 0


def test_the_view_refuses_a_stale_resolution_with_a_message(client, team):
    blocker = BlockerFactory(challenge=team.challenge, raised_by=team.lead)
    blocker_resolve(blocker=blocker, by=team.coach, resolution="Done by the coach", version=1)
    client.force_login(team.lead)
    url = reverse("blocker_resolve", args=[team.challenge.pk, blocker.pk])
    response = client.post(url, {f"blocker-{blocker.pk}-resolution": "Mine", f"blocker-{blocker.pk}-version": "1"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "changed by someone else" in page
    blocker.refresh_from_db()
    assert blocker.resolution == "Done by the coach"


def test_a_blocker_of_another_challenge_is_not_found(client, team):
    other = BlockerFactory()
    client.force_login(team.lead)
    url = reverse("blocker_resolve", args=[team.challenge.pk, other.pk])
    response = client.post(url, {f"blocker-{other.pk}-resolution": "x", f"blocker-{other.pk}-version": "1"})
    assert response.status_code == 404


@pytest.mark.parametrize(("who", "expected"), [("member", 403), ("sponsor", 403), ("official", 403), ("outsider", 404)])
def test_readers_may_not_raise_or_resolve(client, team, who, expected):
    people = {
        "member": team.member,
        "sponsor": team.sponsor,
        "official": GrantFactory(accelerator=team.accelerator).user,
        "outsider": UserFactory(),
    }
    blocker = BlockerFactory(challenge=team.challenge, raised_by=team.lead)
    client.force_login(people[who])
    raised = client.post(reverse("blocker_raise", args=[team.challenge.pk]), {"description": "x", "severity": "low"})
    resolved = client.post(
        reverse("blocker_resolve", args=[team.challenge.pk, blocker.pk]),
        {f"blocker-{blocker.pk}-resolution": "x", f"blocker-{blocker.pk}-version": "1"},
    )
    assert (raised.status_code, resolved.status_code) == (expected, expected)
    blocker.refresh_from_db()
    assert (Blocker.objects.count(), blocker.state) == (1, Blocker.State.OPEN)


# --- Reading the notification -------------------------------------------------------------------


def test_the_sponsor_sees_the_blocker_in_the_list_and_marks_it_read(client, team, queued):
    blocker_raise(challenge=team.challenge, by=team.lead, description="Budget not released", severity="high")
    blocker_raise(challenge=team.challenge, by=team.lead, description="No office space", severity="low")
    client.force_login(team.sponsor)
    body = client.get(reverse("notifications")).content.decode()
    assert "Budget not released" in body and "2 unread notifications" in body
    first = Notification.objects.filter(user=team.sponsor).order_by("id").first()
    response = client.post(reverse("notifications"), {"notification": first.pk})
    assert response.status_code == 302
    assert Notification.objects.filter(user=team.sponsor, read_at__isnull=True).count() == 1
    client.post(reverse("notifications"), {})
    assert Notification.objects.filter(user=team.sponsor, read_at__isnull=True).count() == 0
    # The coach's copies are the coach's: the sponsor's "mark all" leaves them unread.
    assert Notification.objects.filter(user=team.coach, read_at__isnull=True).count() == 2


def test_nobody_marks_another_persons_notification_read(client, team, queued):
    blocker_raise(challenge=team.challenge, by=team.lead, description="Budget not released", severity="high")
    coach_copy = Notification.objects.get(user=team.coach)
    client.force_login(team.sponsor)
    client.post(reverse("notifications"), {"notification": coach_copy.pk})
    coach_copy.refresh_from_db()
    assert coach_copy.read_at is None


# --- Owner, due date, and what stays once resolved ----------------------------------------------


def test_the_owner_must_be_on_the_team(team):
    with pytest.raises(ValidationError) as refused:
        blocker_raise(challenge=team.challenge, by=team.lead, description="x", severity="low", owner=UserFactory())
    assert "owner" in refused.value.message_dict
    assert Blocker.objects.count() == 0


def test_the_owner_is_whoever_raised_it_unless_someone_is_named(team, queued):
    mine = blocker_raise(challenge=team.challenge, by=team.coach, description="Mine", severity="low")
    theirs = blocker_raise(
        challenge=team.challenge, by=team.lead, description="Theirs", severity="low", owner=team.member
    )
    assert (mine.owner, theirs.owner) == (team.coach, team.member)


def test_a_resolved_blocker_stays_on_the_page_folded_with_who_when_and_how(client, team):
    blocker = BlockerFactory(challenge=team.challenge, raised_by=team.lead, owner=team.member, description="No data")
    with time_machine.travel(on_day(12), tick=False):
        blocker_resolve(blocker=blocker, by=team.coach, resolution="The registry signed the agreement", version=1)
    client.force_login(team.member)
    body = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
    folded = body[body.index('id="resolved-blockers"') :]
    folded = folded[: folded.index("</details>")]
    assert "1 resolved blocker" in folded and f'id="blocker-{blocker.pk}"' in folded
    assert "No data" in folded and "The registry signed the agreement" in folded
    when = date_format(LAUNCH + timedelta(days=12), "DATE_FORMAT")
    assert f"Resolved by <bdi>{team.coach.get_full_name()}</bdi> on {when}:" in folded
    assert "No open blockers." in body


def test_the_page_shows_owner_due_date_and_overdue(client, team):
    BlockerFactory(
        challenge=team.challenge,
        raised_by=team.lead,
        owner=team.member,
        decision_needed_by=LAUNCH + timedelta(days=5),
    )
    client.force_login(team.lead)
    with time_machine.travel(on_day(10), tick=False):
        body = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
    assert f"owner: <bdi>{team.member.get_full_name()}</bdi>" in body
    assert f"due {date_format(LAUNCH + timedelta(days=5), 'DATE_FORMAT')}" in body and "Past its due date" in body


def test_the_page_takes_the_same_queries_with_many_resolved_blockers(client, team, django_assert_max_num_queries):
    client.force_login(team.lead)
    url = reverse("challenge_detail", args=[team.challenge.pk])
    BlockerFactory(challenge=team.challenge, raised_by=team.lead, owner=team.member)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(15):
        blocker = BlockerFactory(challenge=team.challenge, raised_by=UserFactory(), owner=team.member)
        blocker_resolve(blocker=blocker, by=UserFactory(), resolution=f"Fixed {n}", version=1)
    with django_assert_max_num_queries(len(few)):
        client.get(url)
