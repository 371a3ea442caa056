"""The dashboards read from a real PostgreSQL streaming replica (core/replica.py).

The test makes its own primary and hot standby (``tests/replication.py``: initdb, ``pg_basebackup -R``,
free ports) and copies the test database's schema onto the primary. For each test this process's
``default`` alias points at that primary and ``replica`` at the standby, as ``DATABASE_URL`` and
``DATABASE_REPLICA_URL`` would, and the pages are requested through Django's test client. With
replay paused on the standby (``pg_wal_replay_pause()``), what a reader sees tells which server
answered.

Skipped where PostgreSQL's server binaries are missing or the suite is not on PostgreSQL, unless
REQUIRE_POSTGRES=1 (CI).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from asgiref.local import Local
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from accelerators.settings.env import database_from_url, replica_from_url
from challenges.models import Challenge
from cohorts.calendar import Phase
from cohorts.models import Cohort, CohortChange
from core import replica as replica_module
from core.replica import WRITE_COOKIE, reading_connection, replica_reads
from members.models import AcceleratorRole, Membership
from tests import processes
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    GrantFactory,
    MembershipFactory,
    UserFactory,
)
from tests.replication import Replication, missing_reason, postgres_bin

# django_db only so that pytest-django creates the test database, whose schema the throwaway primary
# copies; the tests themselves run on the primary and replica of ``served``.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DATABASE = "accelerators"
STAMPS = CohortChange._meta.db_table


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail(f"REQUIRE_POSTGRES is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def replication(django_db_setup, django_db_blocker) -> Iterator[Replication]:
    if connection.vendor != "postgresql":
        _unavailable("the suite is not running on PostgreSQL (set DATABASE_URL)")
    if reason := missing_reason():
        _unavailable(reason)
    started = time.monotonic()
    pair = Replication()
    try:
        pair.create()
        with django_db_blocker.unblock():
            schema = subprocess.run(
                [
                    str(postgres_bin() / "pg_dump"),
                    "--schema-only",
                    "--no-owner",
                    "--no-privileges",
                    processes.test_database_url(),
                ],
                capture_output=True,
                check=True,
                timeout=120,
            ).stdout
        with pair.primary.connect() as primary:
            primary.execute(f'CREATE DATABASE "{DATABASE}"')
        subprocess.run(
            [str(postgres_bin() / "psql"), "--quiet", "--set", "ON_ERROR_STOP=1", pair.primary.url(DATABASE)],
            input=schema,
            capture_output=True,
            check=True,
            timeout=120,
        )
        pair.wait_for_replay()
        print(f"primary and replica ready in {time.monotonic() - started:.1f} s")
        yield pair
    finally:
        pair.close()


@contextmanager
def databases(settings: dict[str, dict]) -> Iterator[None]:
    """This process's connections point at ``settings`` for the block, then back at the test database."""
    saved = connections.settings, connections._connections
    connections.settings = connections.configure_settings(settings)
    connections._connections = Local(connections.thread_critical)
    try:
        yield
    finally:
        for alias in connections.settings:
            if connections[alias].pool is not None:
                connections[alias].close_pool()
        connections.close_all()
        connections.settings, connections._connections = saved


@pytest.fixture
def served(replication, django_db_blocker, monkeypatch) -> Iterator[Replication]:
    """``default`` is the throwaway primary, ``replica`` its standby (pooled, as settings make it)."""
    monkeypatch.setattr(replica_module, "_down_until", 0.0)
    configured = {
        "default": database_from_url("DATABASE_URL", replication.primary.url(DATABASE), conn_max_age=0),
        "replica": replica_from_url(
            "DATABASE_REPLICA_URL", replication.replica.url(DATABASE), pool_max_size=2, timeout=2
        ),
    }
    with django_db_blocker.unblock(), databases(configured):
        cache.clear()
        try:
            yield replication
        finally:
            replication.resume_replay()


@contextmanager
def queries_by_server() -> Iterator[dict[str, list[str]]]:
    """The SQL each alias ran during the block."""
    seen: dict[str, list[str]] = {"default": [], "replica": []}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            seen[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with ExitStack() as stack:
        for alias in seen:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield seen


def on(queries: list[str], table: str) -> bool:
    return any(table in sql for sql in queries)


def a_board(*, progress: float = 0.0) -> tuple[Cohort, Challenge]:
    """A launched cohort, 20 days into acceleration today, with one challenge (40 → 20 days)."""
    accelerator = AcceleratorFactory()
    today = accelerator.local_today()
    cohort = CohortFactory(accelerator=accelerator, launch_date=today - timedelta(days=20))
    challenge = ChallengeFactory(
        cohort=cohort,
        phase=Phase.ACCELERATION,
        current_value=Decimal("40") - Decimal(20 * progress),
        progress=progress,
        expected_progress=0.2,
    )
    MembershipFactory(challenge=challenge, role=Membership.Role.TEAM_LEAD)
    return cohort, challenge


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def board(client: Client, cohort: Cohort):
    response = client.get(reverse("cohort_board", kwargs={"cohort_id": cohort.pk}))
    assert response.status_code == 200, response.content[-2000:]
    return response


def progress_shown(response) -> list[int]:
    return [int(n) for n in re.findall(r'role="progressbar"[^>]*aria-valuenow="(\d+)"', response.content.decode())]


def post_checkin(client: Client, challenge: Challenge, value: str):
    return client.post(
        reverse("checkin_post", kwargs={"challenge_id": challenge.pk}),
        {"value": value, "done": "Opened a second counter", "next_steps": "", "confidence": "4", "version": ""},
    )


def test_the_board_its_access_check_and_digest_come_from_the_replica_in_one_snapshot(served):
    cohort, _challenge = a_board(progress=0.5)
    official = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    client = signed_in(official)
    served.wait_for_replay()

    with queries_by_server() as seen:
        response = board(client, cohort)
    assert progress_shown(response) == [50]
    replica, primary = seen["replica"], seen["default"]
    # One read-only snapshot, opened before the first read of the view.
    assert replica[0] == "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    assert on(replica, AcceleratorRole._meta.db_table), "the access check was not read on the replica"
    assert on(replica, "xmin"), "the board's digest was not read on the replica"
    assert on(replica, Challenge._meta.db_table)
    # The primary only served who is asking (their session, their account, their header).
    assert not on(primary, Challenge._meta.db_table) and not on(primary, "xmin"), primary

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
        assert cursor.fetchone() == (served.replica.port, True)
    with replica_reads() as on_replica, reading_connection().cursor() as cursor:
        assert on_replica
        cursor.execute("SELECT inet_server_port(), current_setting('transaction_isolation')")
        assert cursor.fetchone() == (served.replica.port, "repeatable read")
    with reading_connection().cursor() as cursor:
        cursor.execute("SELECT inet_server_port()")
        assert cursor.fetchone() == (served.primary.port,)


def test_with_replay_paused_a_person_sees_their_own_write_and_others_the_replica(served):
    cohort, challenge = a_board()
    writer = UserFactory(is_superuser=True, is_staff=True)
    reader = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    writer_client, reader_client = signed_in(writer), signed_in(reader)
    served.wait_for_replay()
    assert progress_shown(board(reader_client, cohort)) == [0]

    served.pause_replay()
    response = post_checkin(writer_client, challenge, "30")
    assert response.status_code == 302
    assert WRITE_COOKIE in response.cookies, "the write left no trace of where the primary was"

    with queries_by_server() as seen:
        mine = board(writer_client, cohort)
    assert progress_shown(mine) == [50], "the writer did not see their own check-in"
    assert not any(on(seen["replica"], table) for table in (Challenge._meta.db_table, STAMPS)), (
        "the writer's board came from the lagging replica"
    )
    # Everyone else reads the replica, which has not replayed the check-in yet.
    assert progress_shown(board(reader_client, cohort)) == [0]

    served.resume_replay()
    served.wait_for_replay()
    assert progress_shown(board(reader_client, cohort)) == [50]
    with queries_by_server() as seen:
        caught_up = board(writer_client, cohort)
    assert progress_shown(caught_up) == [50]
    # Served from the cache, keyed on the digest (the cohort's change stamps) read on the replica.
    assert on(seen["replica"], STAMPS), "the writer stayed on the primary after the replica caught up"
    assert caught_up.cookies[WRITE_COOKIE]["max-age"] == 0, "the write's cookie outlived its use"


def test_when_the_replica_goes_down_the_board_comes_from_the_primary_without_error(served):
    cohort, _challenge = a_board(progress=0.25)
    official = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    client = signed_in(official)
    served.wait_for_replay()
    with queries_by_server() as seen:
        assert progress_shown(board(client, cohort)) == [25]
    assert on(seen["replica"], Challenge._meta.db_table)

    served.replica.stop()  # the connection the previous request used is now dead
    try:
        Challenge.objects.filter(cohort=cohort).update(progress=0.75, current_value=Decimal("25"))
        with queries_by_server() as seen:
            assert progress_shown(board(client, cohort)) == [75]  # the view ran again, on the primary
        assert on(seen["default"], Challenge._meta.db_table)
        # Left alone for a while: the next reader does not wait for it.
        with queries_by_server() as seen:
            assert progress_shown(board(client, cohort)) == [75]
        assert seen["replica"] == []

        # Down before the request even connects: the pool gives up within the timeout.
        replica_module._down_until = 0.0
        started = time.monotonic()
        with queries_by_server() as seen:
            assert progress_shown(board(client, cohort)) == [75]
        assert on(seen["default"], STAMPS)  # the digest, read on the primary (the page is cached)
        assert time.monotonic() - started < 10
    finally:
        served.replica.start()


def test_writes_and_reads_in_a_transaction_go_to_the_primary(served):
    cohort, challenge = a_board()
    served.wait_for_replay()
    with replica_reads() as on_replica:
        assert on_replica
        with queries_by_server() as seen:
            assert Challenge.objects.get(pk=challenge.pk).title == challenge.title
            Challenge.objects.filter(pk=challenge.pk).update(title="Renamed on the primary")
            with transaction.atomic():
                assert Challenge.objects.get(pk=challenge.pk).title == "Renamed on the primary"
        assert len(seen["replica"]) == 1 and on(seen["replica"], "SELECT")
        assert [sql.split()[0] for sql in seen["default"] if Challenge._meta.db_table in sql] == ["UPDATE", "SELECT"]
    assert Challenge.objects.get(pk=challenge.pk).title == "Renamed on the primary"  # outside: the primary
    assert Cohort.objects.filter(pk=cohort.pk).exists()
