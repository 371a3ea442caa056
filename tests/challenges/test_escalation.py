"""A blocker past its due date is escalated to the sponsor once: a set-based claim on the row
(``escalated_at``), a notification per sponsor and its e-mail through the usual delivery, nothing
again on a second run, a redelivered task, or a run racing it; and a real worker runs beat's task."""

import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from challenges import escalation, notifications
from challenges.models import Blocker, Notification
from challenges.services import blocker_resolve
from members.models import Membership
from tests.challenges.journey import LAUNCH, at_local, make_team
from tests.factories import BlockerFactory, MembershipFactory
from tests.processes import start_worker, stop

pytestmark = pytest.mark.django_db

DUE = LAUNCH + timedelta(days=20)


@pytest.fixture
def queued(monkeypatch):
    from challenges import tasks

    ids: list[list[int]] = []
    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda batch: ids.append(batch))
    return ids


def run(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return escalation.blockers_escalate_overdue(now=now)


def overdue_blocker(team, **fields):
    return BlockerFactory(
        challenge=team.challenge, raised_by=team.lead, owner=team.member, decision_needed_by=DUE, **fields
    )


def test_it_escalates_once_the_day_after_the_due_date_begins_locally(queued, django_capture_on_commit_callbacks):
    team = make_team(zone="Asia/Tashkent")
    blocker = overdue_blocker(team, description="Registry will not share data")
    assert run(at_local(DUE, 23, 59), django_capture_on_commit_callbacks) == []  # the due day itself
    assert run(at_local(DUE + timedelta(days=1), 0, 5), django_capture_on_commit_callbacks) == [blocker.pk]
    blocker.refresh_from_db()
    assert blocker.escalated_at is not None
    notification = Notification.objects.get()
    assert (notification.user, notification.kind, notification.blocker) == (
        team.sponsor,
        Notification.Kind.BLOCKER_OVERDUE,
        blocker,
    )
    assert "Registry will not share data" in notification.message and "past its due date" in notification.message
    assert team.member.get_full_name() in notification.message  # the owner is named
    assert notifications.send_notification_emails(notification_ids=queued[0]) == 1
    assert mail.outbox[0].to == [team.sponsor.email]
    assert f"/challenges/{team.challenge.pk}/#blocker-{blocker.pk}" in mail.outbox[0].body
    # Again: the next hour, the next day, a redelivered task.
    for later in (timedelta(days=1, hours=1), timedelta(days=2)):
        assert run(at_local(DUE, 12) + later, django_capture_on_commit_callbacks) == []
    assert Notification.objects.count() == 1 and len(queued) == 1


def test_every_sponsor_hears_but_the_coach_and_others_do_not(queued, django_capture_on_commit_callbacks):
    team = make_team()
    second_sponsor = MembershipFactory(challenge=team.challenge, role=Membership.Role.SPONSOR).user
    overdue_blocker(team)
    run(at_local(DUE + timedelta(days=3), 10), django_capture_on_commit_callbacks)
    assert set(Notification.objects.values_list("user", flat=True)) == {team.sponsor.pk, second_sponsor.pk}


def test_resolved_undated_withdrawn_and_sponsorless_blockers_are_left_alone(queued, django_capture_on_commit_callbacks):
    team = make_team()
    resolved = overdue_blocker(team)
    blocker_resolve(blocker=resolved, by=team.coach, resolution="Done", version=1)
    BlockerFactory(challenge=team.challenge, raised_by=team.lead, decision_needed_by=None)
    withdrawn = make_team()
    overdue_blocker(withdrawn)
    withdrawn.challenge.withdrawn_at = timezone.now()
    withdrawn.challenge.withdrawn_reason = "Merged into another challenge"
    withdrawn.challenge.save()
    lonely = make_team()
    waiting = overdue_blocker(lonely)
    Membership.objects.filter(challenge=lonely.challenge, role=Membership.Role.SPONSOR).delete()
    later = at_local(DUE + timedelta(days=5), 10)
    assert run(later, django_capture_on_commit_callbacks) == []
    # Once the challenge has a sponsor, its overdue blocker is escalated (once).
    MembershipFactory(challenge=lonely.challenge, role=Membership.Role.SPONSOR)
    assert run(later, django_capture_on_commit_callbacks) == [waiting.pk]


def test_the_challenge_page_says_it_was_escalated(client, queued, django_capture_on_commit_callbacks):
    team = make_team()
    overdue_blocker(team)
    run(at_local(DUE + timedelta(days=1), 10), django_capture_on_commit_callbacks)
    client.force_login(team.lead)
    body = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
    assert "Escalated to the sponsor on" in body


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_two_concurrent_runs_escalate_each_blocker_once(monkeypatch):
    teams = [make_team() for _ in range(20)]
    for team in teams:
        overdue_blocker(team)
    queued: list[list[int]] = []
    monkeypatch.setattr(escalation, "queue_notification_emails", lambda ids: queued.append(ids))
    barrier = threading.Barrier(2)
    results, errors = [], []
    now = at_local(DUE + timedelta(days=1), 10)

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(escalation.blockers_escalate_overdue(now=now))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(len(made) for made in results) == len(teams)
    assert set(results[0]).isdisjoint(results[1])
    assert Notification.objects.count() == len(teams)
    assert sum(len(ids) for ids in queued) == len(teams)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_beats_escalation_task_twice_and_mails_the_sponsor_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker process needs a file-backed test database")
    from accelerators.celery import app

    team = make_team(launch=timezone.now().date() - timedelta(days=30))
    blocker = BlockerFactory(
        challenge=team.challenge,
        raised_by=team.lead,
        owner=team.lead,
        decision_needed_by=timezone.now().date() - timedelta(days=3),
    )
    worker = start_worker("escalation")
    try:
        task = settings.CELERY_BEAT_SCHEDULE["escalate-overdue-blockers"]["task"]
        app.send_task(task)
        app.send_task(task)  # beat fired twice, or the broker delivered twice
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Notification.objects.filter(emailed_at__isnull=False).exists():
                break
            time.sleep(0.5)
        time.sleep(2)  # let the second run finish too
        notification = Notification.objects.get()
        assert (notification.user, notification.blocker_id) == (team.sponsor, blocker.pk)
        assert notification.emailed_at is not None, "the worker did not send the e-mail"
        assert Blocker.objects.get(pk=blocker.pk).escalated_at is not None
    finally:
        output = stop(worker)
        if not Notification.objects.filter(emailed_at__isnull=False).exists():
            print(output)
