"""Review and launch: the checklist guards it, a double submit launches once, then the clock runs it."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from challenges.models import Challenge, Notification, Station
from cohorts.models import Cohort
from members.models import Invitation, Membership
from program_admin import services
from program_admin.tasks import send_launch_messages
from tests.factories import ChallengeFactory, MembershipFactory
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db

# 10:00 in Tashkent on 20 May 2026: the launch day (1 June) is ahead.
BEFORE_LAUNCH = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Tashkent"))


@pytest.fixture
def journey():
    return build_journey()


def staff(journey, challenge, *, lead=True, coach=True, sponsor=True):
    if lead:
        MembershipFactory(challenge=challenge, user=journey.people["lead"], role=Membership.Role.TEAM_LEAD)
    if coach:
        MembershipFactory(challenge=challenge, user=journey.people["coach"], role=Membership.Role.COACH)
    if sponsor:
        MembershipFactory(challenge=challenge, user=journey.people["sponsor"], role=Membership.Role.SPONSOR)


@pytest.fixture
def ready(journey):
    challenge = ChallengeFactory(cohort=journey.cohort, lead_entity=journey.entities["health"], title="Shorter queues")
    staff(journey, challenge)
    return challenge


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_it_lists_what_is_missing_for_each_challenge(journey):
    complete = ChallengeFactory(cohort=journey.cohort, title="Complete")
    staff(journey, complete)
    missing = ChallengeFactory(cohort=journey.cohort, title="Missing people")
    staff(journey, missing, lead=False, sponsor=False)
    items = services.cohort_launch_checklist(cohort=journey.cohort)
    assert [(item.challenge, item.missing) for item in items] == [(missing, ["team lead", "sponsor"])]


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_it_blocks_an_empty_cohort_and_a_launch_day_in_the_past(journey):
    journey.cohort.launch_date = date(2026, 5, 19)
    journey.cohort.save()
    (item,) = services.cohort_launch_checklist(cohort=journey.cohort)
    assert item.challenge is None
    assert item.missing[0].startswith("the launch day (2026-05-19) has passed")
    assert item.missing[1] == "the cohort has no challenges yet"


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_it_refuses_to_launch_until_the_checklist_is_clear(client, journey):
    challenge = ChallengeFactory(cohort=journey.cohort, title="No coach yet")
    staff(journey, challenge, coach=False)
    client.force_login(journey.admin)
    response = client.post(reverse("manage_launch", args=[journey.cohort.pk]), {"confirm": "on"})
    assert response.status_code == 422
    assert "missing coach" in response.content.decode()
    journey.cohort.refresh_from_db()
    assert journey.cohort.status == Cohort.Status.DRAFT


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_it_asks_for_confirmation(client, journey, ready):
    client.force_login(journey.admin)
    response = client.post(reverse("manage_launch", args=[journey.cohort.pk]), {})
    assert response.status_code == 422
    assert "Tick the box to confirm the launch." in response.content.decode()
    journey.cohort.refresh_from_db()
    assert not journey.cohort.is_launched


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_it_launches_once_records_who_and_when_and_hands_over_to_the_clock(
    client, journey, ready, django_capture_on_commit_callbacks, monkeypatch
):
    from challenges import tasks

    ticks = []

    def tick_now(accelerator_ids):
        ticks.append(accelerator_ids)
        tasks.advance_clock(accelerator_ids)  # the task's body, as the worker would run it

    monkeypatch.setattr(tasks.advance_clock, "delay", tick_now)
    client.force_login(journey.admin)
    url = reverse("manage_launch", args=[journey.cohort.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(url, {"confirm": "on"})
        second = client.post(url, {"confirm": "on"})  # the double submit
    assert first.status_code == 302 and second.status_code == 302
    journey.cohort.refresh_from_db()
    assert journey.cohort.status == Cohort.Status.LAUNCHED
    assert journey.cohort.launched_by == journey.admin
    assert journey.cohort.launched_at == BEFORE_LAUNCH
    assert len(callbacks) == 2, "only the launching request queued the e-mails and the clock"

    # The clock takes over through Celery (never inside the request): its first tick, queued for
    # this accelerator, materialises the stations on their dates.
    assert not Station.objects.filter(challenge=ready).exists()
    callbacks[1]()
    assert ticks == [[journey.accelerator.pk]]
    stations = Station.objects.filter(challenge=ready)
    assert stations.filter(kind="launch_workshop", due_on=date(2026, 6, 1)).exists()
    assert stations.filter(kind="landing_workshop", due_on=date(2026, 9, 9)).exists()
    page = client.get(reverse("manage_cohort", args=[journey.cohort.pk])).content.decode()
    assert "Launched: scheduled" in page


@pytest.mark.django_db(transaction=True)
def test_it_launches_once_when_two_launches_race(on_postgres):
    journey = build_journey(launch_date=date(2030, 6, 1))
    challenge = ChallengeFactory(cohort=journey.cohort, title="Race")
    staff(journey, challenge)
    results, barrier = [], threading.Barrier(2)

    def launch():
        barrier.wait()
        try:
            results.append(services.cohort_launch(cohort=Cohort.objects.get(pk=journey.cohort.pk), by=journey.admin))
        finally:
            connection.close()

    threads = [threading.Thread(target=launch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_the_launch_messages_go_to_invitees_and_team_leads_in_their_language_once(journey, ready):
    invited = Invitation.objects.create(accelerator=journey.accelerator, user=journey.people["member1"])
    MembershipFactory(challenge=ready, user=journey.people["member1"], role=Membership.Role.MEMBER)
    journey.people["lead"].preferred_language = "ar"
    journey.people["lead"].save()
    services.cohort_launch(cohort=journey.cohort, by=journey.admin)

    sent = send_launch_messages(journey.cohort.pk)  # the task body, as the worker runs it
    assert sent == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"member1@example.org", "lead@example.org"}
    assert "/invitations/" in by_recipient["member1@example.org"].body
    assert "Shorter queues" in by_recipient["lead@example.org"].subject
    assert Notification.objects.filter(user=journey.people["lead"], challenge=ready).count() == 1
    invited.refresh_from_db()
    assert invited.sent_at is not None and invited.send_count == 1

    # The task delivered a second time (acks_late, a worker lost): nobody is told twice.
    mail.outbox.clear()
    assert send_launch_messages(journey.cohort.pk) == 0
    assert mail.outbox == [], "a redelivered launch task sends nothing again"
    assert Notification.objects.filter(user=journey.people["lead"], challenge=ready).count() == 1
    invited.refresh_from_db()
    assert invited.send_count == 1


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_after_launch_the_structure_changes_only_through_explicit_actions(client, journey, ready):
    services.cohort_launch(cohort=journey.cohort, by=journey.admin)
    client.force_login(journey.admin)
    edit = client.post(
        reverse("manage_challenge", args=[ready.pk]),
        {
            "title": "Renamed",
            "lead_entity": ready.lead_entity_id,
            "metric": "m",
            "direction": "decrease",
            "baseline_value": "40",
            "target_value": "20",
        },
    )
    assert edit.status_code == 200
    ready.refresh_from_db()
    assert ready.title == "Shorter queues"
    seat = ready.memberships.get(role=Membership.Role.COACH)
    client.post(reverse("manage_challenge_people", args=[ready.pk]), {"action": "remove", "seat": seat.pk})
    assert Membership.objects.filter(pk=seat.pk).exists()
    add = client.post(reverse("manage_challenge_create", args=[journey.cohort.pk]), {"title": "Late addition"})
    assert add.status_code == 200
    assert not Challenge.objects.filter(title="Late addition").exists()


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_withdrawing_a_challenge_needs_a_reason_and_is_recorded(client, journey, ready):
    services.cohort_launch(cohort=journey.cohort, by=journey.admin)
    client.force_login(journey.admin)
    url = reverse("manage_challenge_withdraw", args=[ready.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(url, {"reason": "Merged into the e-services challenge"})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.is_withdrawn and ready.withdrawn_by == journey.admin
    assert ready.withdrawn_reason == "Merged into the e-services challenge"
    assert ready.status == "withdrawn"


@time_machine.travel(BEFORE_LAUNCH, tick=False)
def test_replacing_a_team_lead_is_recorded_with_who_and_why(client, journey, ready, django_capture_on_commit_callbacks):
    services.cohort_launch(cohort=journey.cohort, by=journey.admin)
    client.force_login(journey.admin)
    new_lead = journey.people["member2"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("manage_team_lead_replace", args=[ready.pk]),
            {"person": new_lead.pk, "reason": "Moved to another ministry"},
        )
    assert response.status_code == 302
    assert ready.memberships.get(role=Membership.Role.TEAM_LEAD).user == new_lead
    removed = Membership.history.get(challenge_id=ready.pk, user=journey.people["lead"], history_type="-")
    seated = Membership.history.get(challenge_id=ready.pk, user=new_lead, history_type="+")
    assert removed.history_user == journey.admin and seated.history_user == journey.admin
    assert removed.history_change_reason == "Moved to another ministry"
    assert len(callbacks) == 1, "the new team lead is told on commit"
    seat_ids = [ready.memberships.get(role=Membership.Role.TEAM_LEAD).pk]
    send_launch_messages(journey.cohort.pk, seat_ids=seat_ids, invitation_ids=[])
    assert [m.to for m in mail.outbox] == [[new_lead.email]]
    page = client.get(reverse("manage_team_lead_replace", args=[ready.pk])).content.decode()
    assert "Moved to another ministry" in page
