"""Starting the project's own processes (Celery worker, gunicorn, scripts) against the test database."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def project_env(**overrides) -> dict:
    env = {**os.environ, "DATABASE_URL": test_database_url(), "DJANGO_SETTINGS_MODULE": "accelerators.settings.test"}
    env.update(overrides)
    return env


def start_worker(name: str, *, log: Path | None = None, **env_overrides) -> subprocess.Popen:
    """A Celery worker (one task at a time) on this test process's queues (its default one and its
    reports' PDF one); its output goes to ``log`` when given (readable while it runs), else to a pipe
    that ``stop`` returns."""
    from django.conf import settings

    output = log.open("w") if log else subprocess.PIPE
    queues = f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.REPORT_PDF_QUEUE}"
    return subprocess.Popen(
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
            "-Q",
            queues,
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=project_env(**env_overrides),
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )


BEAT_SCRIPT = """
import json, sys
from accelerators.celery import app
app.conf.beat_schedule = {
    name: {"task": task, "schedule": every} for name, (task, every) in json.loads(sys.argv[1]).items()
}
app.start(["beat", "--loglevel=INFO", "--schedule", sys.argv[2], "--max-interval", "1"])
"""


def start_beat(schedule: dict[str, tuple[str, float]], *, directory: Path, **env_overrides) -> subprocess.Popen:
    """Celery beat sending ``schedule`` ({name: (task, every N seconds)}) to this test process's queue,
    in place of the production schedule; its schedule file and log (``beat.log``) go in ``directory``."""
    return subprocess.Popen(
        [sys.executable, "-c", BEAT_SCRIPT, json.dumps(schedule), str(directory / "celerybeat-schedule")],
        cwd=ROOT,
        env=project_env(**env_overrides),
        stdout=(directory / "beat.log").open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 20) -> str:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""
