"""A real Celery worker process, on the configured broker (Redis in CI, the filesystem embedded),
runs the task beat schedules and advances a challenge in the test database."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accelerators.celery import app
from challenges.models import Challenge
from cohorts.calendar import Phase
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory
from tests.processes import start_worker, stop


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_scheduled_clock_task():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker process needs a file-backed test database")
    accelerator = AcceleratorFactory(time_zone="Asia/Tashkent")
    today = accelerator.local_today()
    cohort = CohortFactory(
        accelerator=accelerator, launch_date=today - timedelta(days=5), design_start=today - timedelta(days=40)
    )
    challenge = ChallengeFactory(cohort=cohort)

    worker = start_worker("clock")
    try:
        task_name = settings.CELERY_BEAT_SCHEDULE["advance-the-clock"]["task"]
        app.send_task(task_name)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Challenge.objects.get(pk=challenge.pk).phase == Phase.ACCELERATION:
                break
            time.sleep(0.5)
        challenge.refresh_from_db()
        assert challenge.phase == Phase.ACCELERATION, "the worker did not advance the challenge"
        assert challenge.transitions.get().effective_on == cohort.launch_date + timedelta(days=1)
        assert timezone.now() - challenge.transitions.get().recorded_at < timedelta(minutes=2)
    finally:
        output = stop(worker)
        if challenge.phase != Phase.ACCELERATION:
            print(output)
