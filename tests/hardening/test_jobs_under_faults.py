"""The clock and the reminder job on PostgreSQL, run as real processes: SIGKILLed mid-run then re-run,
or run twice at the same moment, they leave exactly the transitions and reminders the dates call for;
and as deployed on many machines, two Celery workers and one beat, one worker SIGKILLed mid-tick.

(``tests/challenges/test_clock_concurrency.py`` races two threads over one accelerator; here whole
processes race over many accelerators, and one is killed while it works.)
"""

import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from challenges.models import Challenge, Notification, PhaseTransition, ReminderLog, Station
from cohorts.calendar import PHASE_ORDER, phase_on, phase_starts_on
from cohorts.models import Cohort, User
from members.models import Membership
from tests.factories import AcceleratorFactory, CohortFactory, EntityFactory
from tests.processes import ROOT, project_env, start_beat, start_worker, stop

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.usefixtures("on_postgres")]

LAUNCH = date(2026, 3, 1)
ACCELERATORS, PER_ACCELERATOR = 24, 250

CLOCK_SCRIPT = """
import json, sys, time, django
django.setup()
from datetime import datetime
from challenges import clock
clock._queue_notifications = lambda ids: None  # the e-mails are not what is under test
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
result = clock.clock_tick(now=datetime.fromisoformat(sys.argv[1]))
print(json.dumps({"transitions": len(result.transitions)}))
"""

REMINDER_SCRIPT = """
import json, sys, time, django
django.setup()
from datetime import datetime
from challenges import reminders
reminders.queue_notification_emails = lambda ids: None
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
made = reminders.reminders_send_due(now=datetime.fromisoformat(sys.argv[1]))
print(json.dumps({"reminders": len(made)}))
"""


def build_big_world(
    *,
    with_team_leads: bool = False,
    accelerators: int = ACCELERATORS,
    per_accelerator: int = PER_ACCELERATOR,
    launch: date = LAUNCH,
) -> list[Cohort]:
    cohorts = []
    for a in range(accelerators):
        accelerator = AcceleratorFactory(time_zone="Asia/Tashkent", sustainment_days=30)
        cohort = CohortFactory(accelerator=accelerator, launch_date=launch, design_start=launch - timedelta(days=30))
        entity = EntityFactory(accelerator=accelerator)
        challenges = Challenge.objects.bulk_create(
            Challenge(
                cohort=cohort,
                lead_entity=entity,
                title=f"Challenge {a}-{i}",
                metric="Waiting time",
                direction="decrease",
                baseline_value=Decimal("40"),
                target_value=Decimal("20"),
            )
            for i in range(per_accelerator)
        )
        if with_team_leads:
            leads = User.objects.bulk_create(
                User(email=f"lead-{a}-{i}@example.org", full_name=f"Lead {a}-{i}", password="!")
                for i in range(per_accelerator)
            )
            Membership.objects.bulk_create(
                Membership(challenge=challenge, user=lead, role=Membership.Role.TEAM_LEAD)
                for challenge, lead in zip(challenges, leads, strict=True)
            )
        cohorts.append(cohort)
    return cohorts


def expected_transitions(cohorts: list[Cohort], today: date) -> set[tuple]:
    expected = set()
    for cohort in cohorts:
        reached = PHASE_ORDER.index(phase_on(cohort, today))
        for challenge_id in cohort.challenges.values_list("id", flat=True):
            for rank in range(1, reached + 1):
                previous, phase = PHASE_ORDER[rank - 1], PHASE_ORDER[rank]
                expected.add((challenge_id, previous.value, phase.value, phase_starts_on(cohort, phase)))
    return expected


def recorded_transitions() -> list[tuple]:
    return list(PhaseTransition.objects.values_list("challenge_id", "from_phase", "to_phase", "effective_on"))


def start(script: str, now: datetime, at: float = 0.0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, now.isoformat(), str(at)],
        cwd=ROOT,
        env=project_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_mid_run(process: subprocess.Popen, count, total: int) -> int:
    """SIGKILL the process as soon as some, but not all, of its work is committed."""
    deadline = time.monotonic() + 120
    seen = 0
    while time.monotonic() < deadline and process.poll() is None:
        seen = count()
        if seen > 0:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    seen = count()
    assert process.returncode == -signal.SIGKILL, "the job ended before it could be killed"
    assert 0 < seen < total, f"not killed mid-run ({seen} of {total} committed): enlarge the dataset"
    return seen


def finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_the_clock_killed_mid_run_then_rerun_leaves_every_transition_once():
    cohorts = build_big_world()
    now = datetime(2026, 3, 1, 6, tzinfo=UTC) + timedelta(days=200)
    today = now.astimezone(cohorts[0].accelerator.zone).date()
    expected = expected_transitions(cohorts, today)
    assert len(expected) == 3 * ACCELERATORS * PER_ACCELERATOR

    kill_mid_run(start(CLOCK_SCRIPT, now), PhaseTransition.objects.count, len(expected))
    finish(start(CLOCK_SCRIPT, now))

    recorded = recorded_transitions()
    assert len(recorded) == len(set(recorded)), "a transition was recorded twice"
    assert set(recorded) == expected, "a transition is missing or wrong"
    assert set(Challenge.objects.values_list("phase", flat=True)) == {phase_on(cohorts[0], today).value}
    # Another beat later changes nothing.
    stations = sorted(Station.objects.values_list("challenge_id", "template_id", "state"))
    assert finish(start(CLOCK_SCRIPT, now)) == {"transitions": 0}
    assert sorted(Station.objects.values_list("challenge_id", "template_id", "state")) == stations
    assert len(recorded_transitions()) == len(expected)


@pytest.mark.django_db(transaction=True)
def test_two_clock_processes_at_the_same_moment_record_each_transition_once():
    cohorts = build_big_world(accelerators=8, per_accelerator=100)
    now = datetime(2026, 3, 1, 6, tzinfo=UTC) + timedelta(days=120)
    expected = expected_transitions(cohorts, now.astimezone(cohorts[0].accelerator.zone).date())
    at = time.time() + 4  # both start their run at this instant, after Django has started
    runs = [start(CLOCK_SCRIPT, now, at) for _ in range(2)]
    results = [finish(run) for run in runs]

    recorded = recorded_transitions()
    assert len(recorded) == len(set(recorded)) and set(recorded) == expected
    # Between them the two runs recorded each transition once: nothing extra was changed.
    assert sum(r["transitions"] for r in results) == len(expected)


def expected_reminders(cohorts: list[Cohort], today: date) -> set[tuple]:
    from challenges import periods

    expected = set()
    for cohort in cohorts:
        period = periods.latest_due_period(cohort=cohort, cadence=cohort.accelerator.checkin_cadence_days, today=today)
        if period is None:
            continue
        for user_id, challenge_id in Membership.objects.filter(
            challenge__cohort=cohort, role=Membership.Role.TEAM_LEAD
        ).values_list("user_id", "challenge_id"):
            expected.add((user_id, challenge_id, period.number))
    return expected


@pytest.mark.django_db(transaction=True)
def test_the_reminder_job_killed_mid_run_then_rerun_reminds_everyone_once():
    pytest.importorskip("challenges.reminders")
    cohorts = build_big_world(with_team_leads=True)
    now = datetime(2026, 4, 15, 6, tzinfo=UTC)  # 11:00 in Tashkent: past the reminder hour
    expected = expected_reminders(cohorts, now.astimezone(cohorts[0].accelerator.zone).date())
    assert len(expected) == ACCELERATORS * PER_ACCELERATOR

    kill_mid_run(start(REMINDER_SCRIPT, now), ReminderLog.objects.count, len(expected))
    finish(start(REMINDER_SCRIPT, now))
    assert finish(start(REMINDER_SCRIPT, now)) == {"reminders": 0}  # a later beat adds nothing

    reminded = list(ReminderLog.objects.values_list("user_id", "challenge_id", "period"))
    assert len(reminded) == len(set(reminded)) and set(reminded) == expected
    # One in-app notification per reminder: none lost with the killed run, none doubled by the re-run.
    assert sorted(Notification.objects.values_list("user_id", "challenge_id")) == sorted(
        (user_id, challenge_id) for user_id, challenge_id, _period in reminded
    )


@pytest.mark.django_db(transaction=True)
def test_two_reminder_processes_at_the_same_moment_remind_once():
    pytest.importorskip("challenges.reminders")
    cohorts = build_big_world(with_team_leads=True, accelerators=8, per_accelerator=100)
    now = datetime(2026, 4, 15, 6, tzinfo=UTC)
    expected = expected_reminders(cohorts, now.astimezone(cohorts[0].accelerator.zone).date())
    at = time.time() + 4
    runs = [start(REMINDER_SCRIPT, now, at) for _ in range(2)]
    results = [finish(run) for run in runs]
    assert sum(r["reminders"] for r in results) == len(expected)
    assert ReminderLog.objects.count() == Notification.objects.count() == len(expected)


TASK_LINE = re.compile(r"Task challenges\.tasks\.advance_clock\[([0-9a-f-]+)\] (received|succeeded)")


def clock_tasks(log) -> tuple[set[str], set[str]]:
    """The clock ticks a worker's log says it received, and those it finished."""
    lines = TASK_LINE.findall(log.read_text())
    return {t for t, what in lines if what == "received"}, {t for t, what in lines if what == "succeeded"}


def in_a_tick(log) -> bool:
    received, finished = clock_tasks(log)
    return bool(received - finished)


def wait_until(condition, *, seconds: float, what: str, logs) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
    pytest.fail(f"{what} did not happen within {seconds:.0f} s\n{tails}")


@pytest.mark.django_db(transaction=True)
def test_two_workers_and_one_beat_with_a_worker_killed_mid_tick_do_everything_once(tmp_path):
    """Beat queues a clock tick every 5 s; two workers take them (each tick moves every accelerator,
    so ticks overlap on both workers); the worker in the middle of a tick is SIGKILLed as soon as it
    committed its first accelerator. The survivor's later ticks finish the work: every transition
    recorded once, and no team lead told twice.

    The killed worker may die between its commit and the ``on_commit`` that queues that
    accelerator's notifications; the re-run records nothing new for them, and the sweep after each
    tick (``phase_change_notifications_sweep``, its grace set to 0 here) tells them: every team
    lead is told of every transition exactly once."""
    launch = datetime.now(UTC).date() - timedelta(days=200)  # every cohort due to close: 3 transitions each
    cohorts = build_big_world(with_team_leads=True, accelerators=12, per_accelerator=60, launch=launch)
    today = cohorts[0].accelerator.local_today()
    expected = expected_transitions(cohorts, today)
    assert len(expected) == 3 * 12 * 60
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b")}
    workers = {
        name: start_worker(f"many-{name}", log=log, PHASE_NOTIFY_SWEEP_GRACE_SECONDS="0") for name, log in logs.items()
    }
    beat = start_beat({"tick": ("challenges.tasks.advance_clock", 5.0)}, directory=tmp_path)
    everything = [*logs.values(), tmp_path / "beat.log"]
    notified = Notification.objects.filter(user__email__startswith="lead-")
    try:
        wait_until(lambda: PhaseTransition.objects.exists(), seconds=120, what="a first transition", logs=everything)
        busy = [name for name, log in logs.items() if in_a_tick(log)]
        assert busy, "no worker is in the middle of a tick"
        killed = busy[0]
        workers[killed].send_signal(signal.SIGKILL)
        workers[killed].wait(timeout=30)
        assert PhaseTransition.objects.count() < len(expected), "the work was done before a worker could be killed"
        assert in_a_tick(logs[killed]), "the killed worker was not in the middle of a tick"
        survivor = next(name for name in logs if name != killed)

        wait_until(
            lambda: PhaseTransition.objects.count() == len(expected),
            seconds=240,
            what="every transition recorded",
            logs=everything,
        )
        wait_until(lambda: settled(notified, quiet=8), seconds=240, what="the notifications settling", logs=everything)
    finally:
        stop(beat)
        for worker in workers.values():
            stop(worker)
    assert clock_tasks(logs[survivor])[1], "the surviving worker finished no tick"
    recorded = recorded_transitions()
    assert len(recorded) == len(set(recorded)), "a transition was recorded twice"
    assert set(recorded) == expected, "a transition is missing or wrong"
    assert set(Challenge.objects.values_list("phase", flat=True)) == {phase_on(cohorts[0], today).value}

    told = list(notified.values_list("user__email", "challenge_id", "message"))
    assert len(told) == len(set(told)), "a team lead was told the same thing twice"
    per_challenge = Counter(challenge for _email, challenge, _message in told)
    assert set(per_challenge.values()) == {3}, "a challenge's lead was told of only some of its transitions"
    untold = Challenge.objects.exclude(id__in=per_challenge).values_list("cohort__accelerator_id", flat=True)
    assert not untold, f"notifications lost: {Counter(untold)}"


def settled(queryset, *, quiet: float) -> bool:
    """True once ``queryset.count()`` has not changed for ``quiet`` seconds."""
    before = queryset.count()
    time.sleep(quiet)
    return queryset.count() == before
