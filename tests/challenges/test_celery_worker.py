"""A real Celery worker process, on the configured broker (Redis in CI, the filesystem embedded),
runs the task beat schedules and advances a challenge in the test database."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accelerators.celery import app
from challenges.models import Challenge, Phase
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory

ROOT = Path(__file__).resolve().parents[2]


def _database_url_of_test_db() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


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

    env = {
        **os.environ,
        "DATABASE_URL": _database_url_of_test_db(),
        "DJANGO_SETTINGS_MODULE": "accelerators.settings.test",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "accelerators",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
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
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        if challenge.phase != Phase.ACCELERATION:
            print(output)
