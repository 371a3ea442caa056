"""Reminders: a team lead is reminded once their accelerator's local time passes 09:00 on the
due day (or the first run after), at most once per due period however often or concurrently the
job runs; and each sponsor gets one weekly digest."""

import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import close_old_connections, connection
from django.utils import timezone

from challenges import notifications, reminders
from challenges.models import Notification, ReminderLog, SponsorDigestLog
from challenges.services import challenge_withdraw, checkin_submit
from members.models import Membership
from tests.challenges.journey import LAUNCH, at_local, make_team, on_day, tick
from tests.factories import BlockerFactory, MembershipFactory
from tests.processes import start_worker, stop

pytestmark = pytest.mark.django_db

DAY_7 = LAUNCH + timedelta(days=7)  # the first check-in is due on Day 7


@pytest.fixture
def queued(monkeypatch):
    """What would be queued for e-mail on commit; the test runs the e-mail step itself."""
    from challenges import tasks

    batches: dict[str, list[list[int]]] = {"notifications": [], "digests": []}
    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda ids: batches["notifications"].append(ids))
    monkeypatch.setattr(tasks.send_sponsor_digest_emails, "delay", lambda ids: batches["digests"].append(ids))
    return batches


def run(now: datetime, django_capture_on_commit_callbacks) -> list[int]:
    with django_capture_on_commit_callbacks(execute=True):
        return reminders.reminders_send_due(now=now)


def test_it_reminds_the_team_lead_after_nine_local_time_on_the_due_day(queued, django_capture_on_commit_callbacks):
    team = make_team(zone="Asia/Tashkent")
    assert run(at_local(DAY_7, 8, 59), django_capture_on_commit_callbacks) == []
    made = run(at_local(DAY_7, 9, 5), django_capture_on_commit_callbacks)
    assert len(made) == 1
    reminder = ReminderLog.objects.get()
    assert (reminder.user, reminder.challenge, reminder.period, reminder.due_on) == (
        team.lead,
        team.challenge,
        1,
        DAY_7,
    )
    notification = Notification.objects.get()
    assert notification.user == team.lead and "is due today" in notification.message
    assert notifications.send_notification_emails(notification_ids=queued["notifications"][0]) == 1
    assert mail.outbox[0].to == [team.lead.email] and team.challenge.title in mail.outbox[0].body


def test_it_reminds_at_most_once_per_due_period(queued, django_capture_on_commit_callbacks):
    make_team()
    runs = [at_local(DAY_7, 9, 5), at_local(DAY_7, 10, 5), at_local(DAY_7, 23, 5)]
    runs += [at_local(DAY_7 + timedelta(days=n), 9, 5) for n in range(1, 7)]  # overdue all week: no nagging
    counts = [len(run(now, django_capture_on_commit_callbacks)) for now in runs]
    assert counts == [1, 0, 0, 0, 0, 0, 0, 0, 0]
    # The next period falls due on Day 14: a new reminder, saying the check-in is due.
    assert len(run(at_local(DAY_7 + timedelta(days=7), 9, 5), django_capture_on_commit_callbacks)) == 1
    assert sorted(ReminderLog.objects.values_list("period", flat=True)) == [1, 2]
    assert sum(len(batch) for batch in queued["notifications"]) == 2


def test_it_reminds_of_an_overdue_checkin_when_the_job_was_down_on_the_due_day(
    queued, django_capture_on_commit_callbacks
):
    make_team()
    run(at_local(DAY_7 + timedelta(days=2), 9, 5), django_capture_on_commit_callbacks)
    assert "was due on" in Notification.objects.get().message


def test_it_does_not_remind_a_team_that_has_posted(queued, django_capture_on_commit_callbacks):
    team = make_team()
    tick(team.challenge, on_day(5))
    checkin_submit(challenge=team.challenge, by=team.coach, value=38, done="Work", confidence=3, now=on_day(5))
    assert run(at_local(DAY_7, 9, 5), django_capture_on_commit_callbacks) == []
    # Missed period 2 (due Day 14) but already posted for period 3: nothing is owed any more.
    checkin_submit(challenge=team.challenge, by=team.lead, value=36, done="Work", confidence=3, now=on_day(16))
    assert run(at_local(LAUNCH + timedelta(days=16), 9, 5), django_capture_on_commit_callbacks) == []


def test_it_leaves_design_withdrawn_and_closed_challenges_alone(queued, django_capture_on_commit_callbacks):
    withdrawn = make_team()
    challenge_withdraw(challenge=withdrawn.challenge, by=withdrawn.lead, reason="Merged into another")
    make_team(launch=DAY_7)  # still in design on DAY_7
    make_team(launch=DAY_7 - timedelta(days=400))  # long closed
    assert run(at_local(DAY_7, 9, 5), django_capture_on_commit_callbacks) == []


def test_it_follows_each_accelerators_time_zone(queued, django_capture_on_commit_callbacks):
    tashkent = make_team(zone="Asia/Tashkent")  # UTC+5
    dubai = make_team(zone="Asia/Dubai")  # UTC+4
    new_york = make_team(zone="America/New_York")  # UTC-4 from 8 March 2026 (daylight saving)

    def reminded(hour_utc: int) -> set:
        now = datetime.combine(DAY_7, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour_utc, minutes=5)
        made = run(now, django_capture_on_commit_callbacks)
        return set(ReminderLog.objects.filter(id__in=made).values_list("challenge_id", flat=True))

    assert reminded(3) == set()  # 08:05 Tashkent
    assert reminded(4) == {tashkent.challenge.pk}  # 09:05 Tashkent, 08:05 Dubai
    assert reminded(5) == {dubai.challenge.pk}  # 09:05 Dubai
    assert reminded(12) == set()  # 08:05 New York
    assert reminded(13) == {new_york.challenge.pk}  # 09:05 New York
    assert reminded(14) == set()


def test_every_team_lead_of_every_challenge_gets_exactly_one(queued, django_capture_on_commit_callbacks):
    teams = [make_team() for _ in range(3)]
    MembershipFactory(challenge=teams[0].challenge, user=teams[1].lead, role=Membership.Role.MEMBER)
    first = run(at_local(DAY_7, 9, 5), django_capture_on_commit_callbacks)
    second = run(at_local(DAY_7, 9, 5), django_capture_on_commit_callbacks)
    assert (len(first), second) == (3, [])
    ids = [i for batch in queued["notifications"] for i in batch]
    assert notifications.send_notification_emails(notification_ids=ids) == 3
    assert notifications.send_notification_emails(notification_ids=ids) == 0  # redelivered: no second e-mail
    assert sorted(m.to[0] for m in mail.outbox) == sorted(t.lead.email for t in teams)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_two_concurrent_runs_remind_each_person_once(monkeypatch):
    teams = [make_team() for _ in range(30)]
    queued: list[list[int]] = []
    monkeypatch.setattr(reminders, "queue_notification_emails", lambda ids: queued.append(ids))
    barrier = threading.Barrier(2)
    results, errors = [], []
    now = at_local(DAY_7, 9, 5)

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(reminders.reminders_send_due(now=now))
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
    assert ReminderLog.objects.count() == len(teams)
    # However the two runs interleaved, between them they made each reminder once, and each
    # queued e-mail only for the rows its own insert returned.
    assert len(results) == 2
    assert sum(len(made) for made in results) == len(teams)
    assert set(results[0]).isdisjoint(results[1])
    assert Notification.objects.count() == len(teams)
    assert sum(len(ids) for ids in queued) == len(teams)


# --- The weekly sponsor digest ----------------------------------------------------------------------


def digest(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return reminders.sponsor_digests_send(now=now)


def test_each_sponsor_gets_one_digest_a_week_with_status_and_open_blockers(queued, django_capture_on_commit_callbacks):
    team = make_team()
    tick(team.challenge, on_day(10))
    second = make_team()
    MembershipFactory(challenge=second.challenge, user=team.sponsor, role=Membership.Role.SPONSOR)
    tick(second.challenge, on_day(10))
    BlockerFactory(challenge=team.challenge, description="Budget not released", severity="high")
    monday = datetime(2026, 3, 9, 6, 20, tzinfo=UTC)

    made = digest(monday, django_capture_on_commit_callbacks)
    assert len(made) == 2  # two sponsors
    assert digest(monday + timedelta(days=1), django_capture_on_commit_callbacks) == []  # same week
    assert set(SponsorDigestLog.objects.values_list("week_of", flat=True)) == {date(2026, 3, 9)}

    assert notifications.send_sponsor_digests(digest_ids=queued["digests"][0]) == 2
    assert notifications.send_sponsor_digests(digest_ids=queued["digests"][0]) == 0
    body = next(m.body for m in mail.outbox if m.to == [team.sponsor.email])
    assert team.challenge.title in body and second.challenge.title in body
    assert "Budget not released" in body and "Status:" in body

    assert len(digest(monday + timedelta(days=7), django_capture_on_commit_callbacks)) == 2  # next week


# --- For real: beat's task name, a real worker, the real broker --------------------------------------


def _database_url_of_test_db() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def _a_zone_past_nine() -> str:
    """A zone where it is now between 09:00 and 22:00, so the worker's real clock reminds."""
    for zone in ["Asia/Tashkent", "Europe/London", "America/New_York", "Pacific/Auckland", "Pacific/Honolulu"]:
        if 9 <= timezone.now().astimezone(ZoneInfo(zone)).hour < 22:
            return zone
    raise AssertionError("no zone found")  # the list spans more than 24 hours


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_scheduled_reminder_task_and_its_mail_step():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker process needs a file-backed test database")
    zone = _a_zone_past_nine()
    from cohorts.models import Accelerator

    launch = timezone.now().astimezone(ZoneInfo(zone)).date() - timedelta(days=10)
    team = make_team(zone=zone, launch=launch)
    other_zones = Accelerator.objects.exclude(pk=team.accelerator.pk)
    assert not other_zones.exists()
    worker = start_worker("reminders")
    from accelerators.celery import app

    try:
        app.send_task(settings.CELERY_BEAT_SCHEDULE["daily-reminders"]["task"])
        app.send_task(settings.CELERY_BEAT_SCHEDULE["daily-reminders"]["task"])  # beat fired twice
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Notification.objects.filter(emailed_at__isnull=False).exists():
                break
            time.sleep(0.5)
        time.sleep(2)  # let the second run finish too
        reminder = ReminderLog.objects.get()  # exactly one, for the lead, about period 1 (due Day 7)
        assert (reminder.user, reminder.period) == (team.lead, 1)
        notification = Notification.objects.get()
        assert notification.emailed_at is not None, "the worker did not run the e-mail step"
    finally:
        output = stop(worker)
        if not Notification.objects.filter(emailed_at__isnull=False).exists():
            print(output)
