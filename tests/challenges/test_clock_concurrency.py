"""Two workers running the clock at the same moment on PostgreSQL: each transition exactly once."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import close_old_connections, connection

from challenges import clock
from challenges.models import PhaseTransition
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory

LAUNCH = date(2026, 3, 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_two_concurrent_runs_record_each_transition_once(monkeypatch):
    accelerator = AcceleratorFactory(time_zone="Asia/Tashkent", sustainment_days=30)
    cohort = CohortFactory(accelerator=accelerator, launch_date=LAUNCH)
    challenges = [ChallengeFactory(cohort=cohort) for _ in range(40)]
    now = datetime.combine(LAUNCH + timedelta(days=200), time(6), tzinfo=UTC)

    queued: list[list] = []
    monkeypatch.setattr(clock, "_queue_notifications", lambda recording: queued.append(recording))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(clock.clock_tick(now=now))
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
    assert PhaseTransition.objects.count() == 3 * len(challenges)
    # Between them the two runs inserted every transition once; the one that waited found nothing due.
    assert sorted(len(r.transitions) for r in results) == [0, 3 * len(challenges)]
    assert sorted(r.transitions_recorded for r in results) == [0, 3 * len(challenges)]
    # Only the run that recorded them queued their notification, naming its accelerator and instant.
    assert queued == [[accelerator.pk, now.isoformat()]]
    assert PhaseTransition.objects.recorded_by(accelerator.pk, now).count() == 3 * len(challenges)
