"""Load: 50 simulated people on gunicorn + PostgreSQL (loopback only), mixed journeys: 15 s in the
suite, the full minute with LOAD_SECONDS=60.

Team leads post check-ins while officials browse the dashboards. Passes with zero failed requests
and every check-in the server acknowledged present in the database afterwards (each acknowledged
post as the check-in or one of its kept revisions, and the last one of each team lead as the
check-in itself).
Bounded by LOAD_USERS / LOAD_SECONDS (defaults 50 and 15; the same assertions at any length). Uses
its own database, made from the suite's migrated template when there is one (tests/conftest.py).

gunicorn and locust run at a lower CPU priority (``nice``): the simulated people take whatever CPU
is free for the whole minute, and the rest of the suite, running beside this test under pytest-xdist,
goes first. The server is then busier than ever, and must still lose nothing.
"""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.template_database import migrated_template

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "15"))

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def postgres_server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
        pytest.skip("the load test needs PostgreSQL (set DATABASE_URL)")
    return url


NICENESS = 10


def lower_priority() -> None:
    os.nice(NICENESS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def load_database(request):
    import psycopg

    server = urlparse(postgres_server_url())
    name = f"accelerators_load_{os.environ.get('TEST_DB_SUFFIX', os.getpid())}"
    admin_dsn = server._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # The xdist run's migrated template, once it is ready (tests/template_database.py): `migrate`
        # then has nothing left to do.
        template = migrated_template(request.config)
        connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    url = server._replace(path=f"/{name}").geturl()
    try:
        yield url
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="accelerators.settings.base",
        VAR_DIR=str(var_dir),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    return env


def run(args, env, timeout=300) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not come up")


def test_fifty_people_under_load_lose_nothing(load_database, tmp_path):
    env = server_env(load_database, tmp_path / "var")
    run([sys.executable, "manage.py", "migrate", "--noinput"], env)
    seed_file, ack_file = tmp_path / "seed.json", tmp_path / "acks.jsonl"
    run([sys.executable, str(HERE / "load_seed.py"), str(seed_file)], env)
    seed = json.loads(seed_file.read_text())
    if not any(lead["checkin"] for lead in seed["leads"]) and not seed["dashboards"]:
        pytest.skip("neither the check-in page nor the dashboards exist yet")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "accelerators.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--threads", "4", "--worker-class", "gthread", "--timeout", "60",
         "--keep-alive", "15",
         "--error-logfile", "-"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=lower_priority,
    )  # fmt: skip
    try:
        wait_until_up(base, server)
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", base,
             "--users", str(USERS), "--spawn-rate", "25", "--run-time", f"{SECONDS}s", "--stop-timeout", "10",
             "--csv", str(tmp_path / "load"), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOAD_SEED_FILE": str(seed_file), "LOAD_ACK_FILE": str(ack_file)},
            capture_output=True, text=True, timeout=SECONDS + 120, preexec_fn=lower_priority,
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server_log, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server_log, _ = server.communicate()

    with open(tmp_path / "load_stats.csv", encoding="utf-8") as stats_file:
        totals = next(row for row in csv.DictReader(stats_file) if row["Name"] == "Aggregated")
    failures = (tmp_path / "load_failures.csv").read_text()
    requests, failed = int(totals["Request Count"]), int(totals["Failure Count"])
    print(
        f"\nload: {USERS} users, {SECONDS}s: {requests} requests, {failed} failed, "
        f"median {totals['Median Response Time']} ms, p95 {totals['95%']} ms, max {totals['Max Response Time']} ms, "
        f"{float(totals['Requests/s']):.1f} req/s"
    )
    assert failed == 0, failures + locust.stderr[-3000:]
    assert locust.returncode == 0, locust.stderr[-3000:]
    # Each user signed in and opened at least one page. (Throughput itself is not asserted: on a loaded
    # CI machine 50 users made 203 requests in 15 s, 11 per second, and lost nothing.)
    assert requests >= USERS * 2, f"the load test barely ran: {requests} requests from {USERS} users"
    assert "Traceback" not in server_log, server_log[-4000:]

    log = [json.loads(line) for line in ack_file.read_text().splitlines()] if ack_file.exists() else []
    acks = [entry for entry in log if entry["state"] == "acknowledged"]
    if any(lead["checkin"] for lead in seed["leads"]):
        assert acks, "no check-in was acknowledged"
    check_every_acknowledged_checkin_is_stored(load_database, log)
    print(f"load: {len(acks)} acknowledged check-ins, all present in the database")


def check_every_acknowledged_checkin_is_stored(database_url: str, log: list[dict]) -> None:
    """``log``: each post as sent, then as acknowledged, in order (one locust user per challenge)."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as connection:
        current = set(connection.execute("SELECT challenge_id, done FROM challenges_checkin").fetchall())
        # A correction replaces the row's text; the replaced version is kept as a revision.
        history = current | set(
            connection.execute(
                "SELECT c.challenge_id, r.done FROM challenges_checkinrevision r "
                "JOIN challenges_checkin c ON c.id = r.checkin_id"
            ).fetchall()
        )
    acks = [entry for entry in log if entry["state"] == "acknowledged"]
    missing = [ack for ack in acks if (ack["challenge_id"], ack["done"]) not in history]
    assert missing == [], f"{len(missing)} acknowledged check-ins are not in the database: {missing[:5]}"
    # The stored check-in is the last acknowledged post, or a post sent after it whose answer the
    # client never saw (the run ended while it was in flight): never an older one.
    allowed: dict[int, set] = {}
    for entry in log:
        if entry["state"] == "acknowledged":
            allowed[entry["challenge_id"]] = {entry["done"]}
        else:
            allowed.setdefault(entry["challenge_id"], set()).add(entry["done"])
    stored = {challenge_id: done for challenge_id, done in current}
    older = [cid for cid, dones in allowed.items() if cid in stored and stored[cid] not in dones]
    assert older == [], f"an older check-in is stored instead of the latest acknowledged one for {older[:5]}"
