"""Database connections stay bounded under a burst of requests (issue 15, point 3).

What found it: a web scanner against the threaded development server (``manage.py runserver``)
on PostgreSQL; every request thread held a connection of its own, the server's 100 filled up and
274 responses were 500 "too many clients", for the other databases on that server too. Here the
same server gets 30 threads of requests at once while another connection samples
``pg_stat_activity`` for the connections it opened (tagged with ``PGAPPNAME``).
"""

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.access_world import build_world
from tests.factories import ChallengeFactory
from tests.processes import ROOT, project_env, stop

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

THREADS = 30
REQUESTS_PER_THREAD = 2  # before the fix each request left a connection behind: keep a regression under 100
APP_NAME = "accelerators-burst-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "runserver exited: " + stop(server)[-2000:]
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("runserver did not come up")


class Sampler(threading.Thread):
    """Counts, every few milliseconds, the connections the server under test holds."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self):
        import psycopg

        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname=db["NAME"],
            autocommit=True,
        ) as sampling:
            while not self.done.is_set():
                (count,) = sampling.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND application_name = %s",
                    [APP_NAME],
                ).fetchone()
                self.peak = max(self.peak, count)
                self.samples += 1
                time.sleep(0.005)


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_requests_on_the_threaded_dev_server_keeps_connections_bounded(client):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL to point at PostgreSQL")
    world = build_world()
    for number in range(20):
        ChallengeFactory(cohort=world.cohort, title=f"Burst challenge {number}")
    client.force_login(world.people["official_in_scope"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=project_env(PGAPPNAME=APP_NAME, LOG_LEVEL="WARNING"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = Sampler()
    try:
        wait_until_up(base, server)
        sampler.start()
        page = base + reverse("cohort_board", args=[world.cohort.pk])

        def browse(_thread: int) -> list[int]:
            statuses = []
            for _ in range(REQUESTS_PER_THREAD):
                request = urllib.request.Request(page, headers={"Cookie": cookie})  # noqa: S310 (loopback)
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                        statuses.append(response.status)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
                except OSError:  # refused, reset or timed out: counted, so the peak is still reported
                    statuses.append(0)
            return statuses

        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as burst:
            statuses = [status for batch in burst.map(browse, range(THREADS)) for status in batch]
        elapsed = time.monotonic() - started
    finally:
        sampler.done.set()
        sampler.join(timeout=5)
        output = stop(server)
    print(
        f"{len(statuses)} requests from {THREADS} threads in {elapsed:.1f} s; "
        f"peak connections of the server: {sampler.peak} ({sampler.samples} samples)"
    )
    assert sampler.peak >= 1, "the sampler never saw the server's connections"
    assert sampler.peak <= settings.DATABASE_POOL_MAX_SIZE, output[-3000:]
    assert statuses == [200] * THREADS * REQUESTS_PER_THREAD, output[-3000:]
