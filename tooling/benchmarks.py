"""Benchmarks that hold the clock and the pages against their limits (``manage.py bench``).

The clock benchmark runs on PostgreSQL in a database of its own (``accelerators_bench_clock`` by
default), in child processes whose default database is that one, so the clock runs exactly as a
worker runs it. It seeds 100,000 challenges that are all due with set-based SQL, then times, on
the same data reset between runs (``VACUUM ANALYZE`` before each timed run):

- the clock's full tick (``clock_tick``: record transitions, move phases, materialise missing
  stations, refresh statuses; the stations themselves are seeded, as the first
  tick after the launch created them during design) and, separately, its phase step alone (record transitions + move
  phases, in one transaction behind the accelerator's row lock, as the tick runs them);
- the single raw SQL ``UPDATE`` that moves the same rows to the same phase (the physical limit);
- a naive row-by-row ``save()`` loop (with its transition rows) on a sample, extrapolated.

Memory is the peak resident set (``ru_maxrss``) of a process that runs the real Celery task body
``challenges.tasks.advance_clock`` over the 100,000 challenges.

Run ``python -m tooling.benchmarks <clock|clock-memory>`` only through ``manage.py bench``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB_NAME = "accelerators_bench_clock"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/accelerators"
FULL_TICK_TARGET_RATIO = 3.0  # × the raw UPDATE
PHASE_STEP_TARGET_RATIO = 1.1  # × the least SQL doing the same work
MEMORY_TARGET_MB = 150
SUITE_TARGET_SECONDS = 300
LAUNCHED_DAYS_AGO = 150  # Day 150: every challenge passes design → acceleration → sustainment
CHALLENGES_PER_COHORT = 1000


# --- Where the clock benchmark runs ---------------------------------------------------------------


def bench_database_url(explicit: str | None = None) -> str:
    """BENCH_DATABASE_URL, else DATABASE_URL's server with the bench database's name, else a local default."""
    if explicit:
        return explicit
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = DEFAULT_SERVER_URL
    return base.rsplit("/", 1)[0] + "/" + BENCH_DB_NAME


def ensure_database(url: str) -> None:
    """Create the bench database if the server lacks it (connecting to the server's ``postgres`` db)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def _child_env(url: str, var_dir: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "accelerators.settings.base"}
    # Notifications the memory run queues go to a throwaway filesystem broker nobody consumes.
    env.pop("REDIS_URL", None)
    env["VAR_DIR"] = var_dir
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return env


def run_clock_benchmark(
    *, url: str, challenges: int, sample: int, repeat: int, var_dir: str, log=print
) -> ClockFigures:
    """Create and migrate the bench database, then run the timing and memory children."""
    ensure_database(url)
    env = _child_env(url, var_dir)
    log(f"migrating {url.rsplit('/', 1)[-1]} …")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    args = ["--challenges", str(challenges), "--sample", str(sample), "--repeat", str(repeat)]
    log(f"clock: seeding {challenges:,} due challenges and timing (repeat {repeat}) …")
    timing = subprocess.run(  # noqa: S603 (our own interpreter and module, fixed arguments)
        [sys.executable, "-m", "tooling.benchmarks", "clock", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    figures = ClockFigures(**json.loads(timing.stdout.strip().splitlines()[-1]))
    log("clock: measuring the worker's peak memory …")
    memory = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tooling.benchmarks", "clock-memory", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    figures.memory = json.loads(memory.stdout.strip().splitlines()[-1])
    return figures


@dataclass
class ClockFigures:
    challenges: int
    transitions: int
    repeat: int
    full_tick: list[float]
    phase_step: list[float]
    raw_update: list[float]
    floor: list[float]
    floor_surrogate: list[float]
    save_loop_sample: int
    save_loop_sample_seconds: float
    statements_per_tick: int
    postgres_version: str
    memory: dict = field(default_factory=dict)

    @property
    def full_tick_s(self) -> float:
        return statistics.median(self.full_tick)

    @property
    def phase_step_s(self) -> float:
        return statistics.median(self.phase_step)

    @property
    def raw_update_s(self) -> float:
        return statistics.median(self.raw_update)

    @property
    def floor_s(self) -> float:
        return statistics.median(self.floor)

    @property
    def floor_surrogate_s(self) -> float:
        return statistics.median(self.floor_surrogate)

    @property
    def save_loop_s(self) -> float:
        return self.save_loop_sample_seconds * self.challenges / self.save_loop_sample

    def rows(self) -> list[tuple[str, float, float]]:
        return [
            ("raw SQL UPDATE (the physical limit; records nothing)", self.raw_update_s, 1.0),
            (
                "least SQL for the same work, before: plain INSERT of the same transitions into a table keyed by a"
                " surrogate id beside a unique (challenge, phase) index + the raw UPDATE",
                self.floor_surrogate_s,
                self.floor_surrogate_s / self.raw_update_s,
            ),
            (
                "least SQL for the same work, now: the same INSERT into PhaseTransition, whose primary key is"
                " (challenge, phase) + the raw UPDATE",
                self.floor_s,
                self.floor_s / self.raw_update_s,
            ),
            (
                "clock phase step (record transitions + move phases)",
                self.phase_step_s,
                self.phase_step_s / self.raw_update_s,
            ),
            (
                "clock full tick (+ stations, statuses)",
                self.full_tick_s,
                self.full_tick_s / self.raw_update_s,
            ),
            (
                f"row-by-row save() loop ({self.save_loop_sample:,} sampled, extrapolated)",
                self.save_loop_s,
                self.save_loop_s / self.raw_update_s,
            ),
        ]


# --- Inside the child processes (default database = the bench database) ---------------------------


def _setup_django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def _seed(challenges: int) -> tuple[int, datetime]:
    """An accelerator with 100,000 challenges all due: launched 150 days ago, still in design."""
    from django.db import connection

    from challenges.models import Challenge, Station
    from challenges.services import DEFAULT_STATIONS, accelerator_install_default_stations
    from cohorts.models import Accelerator, Cohort, Entity

    now = datetime.now(UTC).replace(microsecond=0)
    accelerator = Accelerator.objects.filter(slug="bench-clock").first()
    if accelerator is not None:
        existing = Challenge.objects.filter(cohort__accelerator=accelerator).count()
        stations = Station.objects.filter(challenge__cohort__accelerator=accelerator).count()
        launch = Cohort.objects.filter(accelerator=accelerator).values_list("launch_date", flat=True).first()
        due = accelerator.local_today(now) - timedelta(days=LAUNCHED_DAYS_AGO)
        if existing == challenges and stations == len(DEFAULT_STATIONS) * challenges and launch == due:
            return accelerator.id, now
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE challenges_station, challenges_phasetransition, challenges_challenge, cohorts_cohort,"
                " cohorts_entity, challenges_stationtemplate, challenges_historicalchallenge,"
                " cohorts_historicalcohort CASCADE"
            )
            cursor.execute("DELETE FROM cohorts_accelerator WHERE id = %s", [accelerator.id])
    accelerator = Accelerator.objects.create(
        name="Clock benchmark",
        slug="bench-clock",
        country="UZ",
        time_zone="Asia/Tashkent",
        sustainment_days=90,
        is_generated=True,
    )
    accelerator_install_default_stations(accelerator=accelerator)
    entity = Entity.objects.create(accelerator=accelerator, name="Benchmark ministry")
    launch = accelerator.local_today(now) - timedelta(days=LAUNCHED_DAYS_AGO)
    cohorts = -(-challenges // CHALLENGES_PER_COHORT)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cohorts_cohort (accelerator_id, number, name, design_start, launch_date, sustainment_days,
                                        status, launched_at, created_at)
            SELECT %s, g, 'Bench cohort ' || g, %s, %s, 90, 'launched', %s, %s
            FROM generate_series(1, %s) g
            """,
            [accelerator.id, launch - timedelta(days=40), launch, now, now, cohorts],
        )
        cursor.execute(
            """
            INSERT INTO challenges_challenge (
                cohort_id, title, goal_statement, lead_entity_id, metric, unit, direction,
                baseline_value, baseline_period, target_value, phase, phase_since, current_value,
                progress, expected_progress, status, last_checkin_on, is_stale,
                withdrawn_at, withdrawn_by_id, withdrawn_reason, trajectory_reason, created_at, updated_at)
            SELECT co.id, 'Bench challenge ' || n, '', %s, 'Waiting time', 'days', 'decrease',
                   40 + n %% 7, '2025', 20, 'design', NULL, 30 + n %% 11,
                   0, 0, 'not_started', %s, false, NULL, NULL, '', '', %s, %s
            FROM (SELECT n, (n - 1) / %s + 1 AS cohort_number FROM generate_series(1, %s) n) g
            JOIN cohorts_cohort co ON co.accelerator_id = %s AND co.number = g.cohort_number
            """,
            [entity.id, launch + timedelta(days=140), now, now, CHALLENGES_PER_COHORT, challenges, accelerator.id],
        )
        # The stations exist already: the clock materialised them on its first tick after the launch,
        # during design. Past ones are done, except one challenge in ten that left them open (overdue,
        # read from their due day: nothing for the tick to write).
        cursor.execute(
            """
            INSERT INTO challenges_station (challenge_id, template_id, kind, name, due_on, state, done_on, done_by_id)
            SELECT ch.id, t.id, t.kind, t.name, due.on_day,
                   CASE WHEN due.on_day < %s AND ch.id %% 10 <> 0 THEN 'done' ELSE 'pending' END,
                   CASE WHEN due.on_day < %s AND ch.id %% 10 <> 0 THEN due.on_day END, NULL
            FROM challenges_challenge ch
            JOIN cohorts_cohort co ON co.id = ch.cohort_id
            JOIN challenges_stationtemplate t ON t.accelerator_id = co.accelerator_id
            CROSS JOIN LATERAL (
                SELECT (CASE t.anchor WHEN 'launch' THEN co.launch_date ELSE co.design_start END)
                       + t.day_offset AS on_day
            ) due
            WHERE co.accelerator_id = %s
            """,
            [accelerator.local_today(now), accelerator.local_today(now), accelerator.id],
        )
        cursor.execute("UPDATE cohorts_cohort SET stations_synced = true WHERE accelerator_id = %s", [accelerator.id])
    return accelerator.id, now


def _reset(accelerator_id: int) -> None:
    """Back to 'all due': every challenge in design, no transitions, stations as seeded; VACUUM ANALYZE."""
    from django.db import connection

    _ensure_surrogate_table()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE challenges_phasetransition, challenges_historicalchallenge, {SURROGATE_TABLE}")
        cursor.execute(
            """
            UPDATE challenges_challenge SET phase = 'design', phase_since = NULL, status = 'not_started',
                progress = 0, expected_progress = 0, is_stale = false
            WHERE cohort_id IN (SELECT id FROM cohorts_cohort WHERE accelerator_id = %s)
            """,
            [accelerator_id],
        )
        # The clock has not run over the cohorts since (it was down): statuses are due.
        cursor.execute(
            "UPDATE cohorts_cohort SET statuses_refreshed_on = NULL WHERE accelerator_id = %s", [accelerator_id]
        )
        cursor.execute("VACUUM ANALYZE")


def _moved(accelerator_id: int) -> int:
    from challenges.models import Challenge

    return Challenge.objects.filter(cohort__accelerator_id=accelerator_id, phase="sustainment").count()


def _time_full_tick(accelerator_id: int, now: datetime) -> tuple[float, int]:
    from challenges.clock import clock_tick

    start = time.perf_counter()
    result = clock_tick(now=now, accelerator_ids=[accelerator_id], notify=False)
    return time.perf_counter() - start, len(result.transitions)


def _time_phase_step(accelerator_id: int, now: datetime) -> float:
    """The tick's phase-advancing part, as the tick runs it: one transaction behind the row lock."""
    from django.db import connection, transaction

    from challenges import clock
    from cohorts.models import Accelerator

    start = time.perf_counter()
    with transaction.atomic():
        accelerator = Accelerator.objects.select_for_update().get(id=accelerator_id)
        today = accelerator.local_today(now)
        with connection.cursor() as cursor:
            clock._advance_phases(cursor, accelerator.id, today, now, None, with_status=False)
    return time.perf_counter() - start


def _time_raw_update(accelerator_id: int, now: datetime) -> float:
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE challenges_challenge ch SET phase = 'sustainment', phase_since = co.launch_date + 101
            FROM cohorts_cohort co
            WHERE co.id = ch.cohort_id AND co.accelerator_id = %s AND co.status = 'launched'
              AND ch.withdrawn_at IS NULL AND ch.phase = 'design'
            """,
            [accelerator_id],
        )
    return time.perf_counter() - start


# The transitions table as it was before its natural key became its primary key: a surrogate id
# beside a unique (challenge, to_phase) index, with the same foreign key and check. The "before"
# of the least SQL is timed against it, in the same run, on the same data.
SURROGATE_TABLE = "bench_transition_surrogate_id"


def _ensure_surrogate_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE TABLE IF NOT EXISTS {SURROGATE_TABLE} (
                id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                from_phase varchar(15) NOT NULL, to_phase varchar(15) NOT NULL,
                effective_on date NOT NULL, recorded_at timestamp with time zone NOT NULL,
                challenge_id bigint NOT NULL REFERENCES challenges_challenge (id) DEFERRABLE INITIALLY DEFERRED,
                CONSTRAINT bench_surrogate_once_per_phase UNIQUE (challenge_id, to_phase),
                CONSTRAINT bench_surrogate_changes_phase CHECK (NOT from_phase = to_phase)
            )
            """
        )


def _time_floor(accelerator_id: int, now: datetime, table: str = "challenges_phasetransition") -> float:
    """The least SQL that does the phase step's work: a plain INSERT of the same transitions + the raw UPDATE,
    with the same guarantees (the foreign key, the check, one row per challenge and phase).

    No conflict handling, no RETURNING, nothing sent back: what recording costs the database itself.
    """
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (challenge_id, from_phase, to_phase, effective_on, recorded_at)
            SELECT ch.id, s.from_phase, s.to_phase, co.launch_date + s.days, %s
            FROM challenges_challenge ch
            JOIN cohorts_cohort co ON co.id = ch.cohort_id
            CROSS JOIN (VALUES ('design', 'acceleration', 1), ('acceleration', 'sustainment', 101))
                AS s (from_phase, to_phase, days)
            WHERE co.accelerator_id = %s AND co.status = 'launched' AND ch.withdrawn_at IS NULL
              AND ch.phase = 'design'
            """,
            [now, accelerator_id],
        )
        cursor.execute(
            """
            UPDATE challenges_challenge ch SET phase = 'sustainment', phase_since = co.launch_date + 101
            FROM cohorts_cohort co
            WHERE co.id = ch.cohort_id AND co.accelerator_id = %s AND co.status = 'launched'
              AND ch.withdrawn_at IS NULL AND ch.phase = 'design'
            """,
            [accelerator_id],
        )
    return time.perf_counter() - start


def _time_save_loop(accelerator_id: int, now: datetime, sample: int) -> float:
    """What a naive app does: load each challenge, work out its phase, write transitions, save()."""
    from django.db import transaction

    from challenges.models import Challenge, PhaseTransition
    from cohorts.calendar import PHASE_ORDER, STEPS, phase_on, phase_starts_on
    from cohorts.models import Accelerator

    today = Accelerator.objects.get(id=accelerator_id).local_today(now)
    start = time.perf_counter()
    with transaction.atomic():
        rows = Challenge.objects.filter(cohort__accelerator_id=accelerator_id, phase="design").select_related("cohort")
        for challenge in rows.order_by("id")[:sample]:
            target = phase_on(challenge.cohort, today)
            for step in STEPS:
                from_phase, to_phase = step.from_phase, step.to_phase
                if PHASE_ORDER.index(challenge.phase) <= PHASE_ORDER.index(from_phase) and PHASE_ORDER.index(
                    to_phase
                ) <= PHASE_ORDER.index(target):
                    PhaseTransition.objects.create(
                        challenge=challenge,
                        from_phase=from_phase,
                        to_phase=to_phase,
                        effective_on=phase_starts_on(challenge.cohort, to_phase),
                        recorded_at=now,
                    )
            challenge.phase = target
            challenge.phase_since = phase_starts_on(challenge.cohort, target)
            challenge.save()
    return time.perf_counter() - start


def _count_tick_statements(accelerator_id: int, now: datetime) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from challenges.clock import clock_tick

    with CaptureQueriesContext(connection) as queries:
        clock_tick(now=now, accelerator_ids=[accelerator_id], notify=False)
    return len(queries.captured_queries)


def child_clock(challenges: int, sample: int, repeat: int) -> dict:
    from django.db import connection

    accelerator_id, now = _seed(challenges)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    full, step, raw, floor, floor_surrogate = [], [], [], [], []
    transitions = 0
    methods = ["full", "step", "raw", "floor", "floor_surrogate"]
    timers = {
        "step": _time_phase_step,
        "raw": _time_raw_update,
        "floor": _time_floor,
        "floor_surrogate": lambda accelerator_id, now: _time_floor(accelerator_id, now, SURROGATE_TABLE),
    }
    for run in range(repeat):
        # Rotate the order so no method always runs first or last.
        for method in methods[run % len(methods) :] + methods[: run % len(methods)]:
            _reset(accelerator_id)
            if method == "full":
                seconds, transitions = _time_full_tick(accelerator_id, now)
            else:
                seconds = timers[method](accelerator_id, now)
            {"full": full, "step": step, "raw": raw, "floor": floor, "floor_surrogate": floor_surrogate}[method].append(
                seconds
            )
            print(f"run {run + 1} {method}: {seconds:.2f} s", file=sys.stderr)  # noqa: T201
            moved = _moved(accelerator_id)
            if moved != challenges:
                raise RuntimeError(f"{method} moved {moved} of {challenges} challenges to sustainment")
    _reset(accelerator_id)
    save_seconds = _time_save_loop(accelerator_id, now, sample)
    _reset(accelerator_id)
    statements = _count_tick_statements(accelerator_id, now)
    _reset(accelerator_id)
    return {
        "challenges": challenges,
        "transitions": transitions,
        "repeat": repeat,
        "full_tick": full,
        "phase_step": step,
        "raw_update": raw,
        "floor": floor,
        "floor_surrogate": floor_surrogate,
        "save_loop_sample": sample,
        "save_loop_sample_seconds": save_seconds,
        "statements_per_tick": statements,
        "postgres_version": version,
    }


def child_clock_memory(challenges: int) -> dict:
    """Peak RSS of a process running the Celery task body over the 100,000 due challenges."""
    from challenges.tasks import advance_clock
    from cohorts.models import Accelerator

    accelerator_id, _now = _seed(challenges)
    _reset(accelerator_id)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    outcome = advance_clock.run(accelerator_ids=[accelerator_id])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _reset(accelerator_id)
    Accelerator.objects.filter(id=accelerator_id).exists()
    return {
        "peak_mb": round(peak / 1024, 1),
        "before_tick_mb": round(before / 1024, 1),
        "seconds": round(seconds, 2),
        "transitions": outcome["transitions"],
    }


# --- Query counts (in process, in a transaction that is rolled back) ------------------------------


class _Rollback(Exception):
    pass


@dataclass
class QueryCountRow:
    route: str
    viewer: str
    counts: dict[int, int | str]


def _walk(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry


def page_routes() -> list[tuple[str, object]]:
    """Every named GET page outside Django's admin, with the policy its view declares."""
    from django.urls import get_resolver

    pages = []
    for _route, pattern in _walk(get_resolver().url_patterns):
        policy = getattr(pattern.callback, "access_policy", None)
        if policy is None or not policy.get:
            continue
        pages.append((pattern.name, pattern, policy))
    return sorted(pages, key=lambda page: page[0])


def _query_count_world(size: int, today: date):
    """One generated cohort of ``size`` challenges, its admin, and a team lead seated on all of it."""
    from challenges.models import Challenge, Notification
    from cohorts.models import Cohort
    from members.models import AcceleratorRole, Membership
    from tooling.generator import generate

    result = generate(
        cohorts=1,
        challenges_per_cohort=size,
        people=max(60, size),
        seed=size,
        force=True,
        today=today,
        progress_stream=open(os.devnull, "w"),  # noqa: SIM115
    )
    accelerator_id = result.accelerator_ids[0]
    cohort = Cohort.objects.get(accelerator_id=accelerator_id)
    challenge = Challenge.objects.filter(cohort=cohort).order_by("id").first()
    grants = AcceleratorRole.objects.filter(accelerator_id=accelerator_id, role="program_admin")
    admin = grants.order_by("user__email").first().user
    lead = Membership.objects.get(challenge=challenge, role="team_lead").user
    # The worst case for the personal pages: the team lead sits on every challenge.
    Membership.objects.bulk_create(
        [Membership(challenge=c, user=lead, role="member") for c in Challenge.objects.filter(cohort=cohort)],
        ignore_conflicts=True,
    )
    Notification.objects.bulk_create(
        [Notification(user=u, challenge=challenge, message=f"Notice {n}") for n in range(size) for u in (admin, lead)]
    )
    kwargs_for = {"challenge_id": challenge.id, "cohort_id": cohort.id, "slug": cohort.accelerator.slug}
    return kwargs_for, {"program admin": (admin, "admin"), "team lead": (lead, "team_lead")}


def _count_page(url: str, user) -> int | str:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(url)  # warm: sessions, translations, template loading
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries.captured_queries) if response.status_code == 200 else f"HTTP {response.status_code}"


def measure_query_counts(sizes: tuple[int, ...] = (10, 300), today: date | None = None) -> list[QueryCountRow]:
    """GET every page as a program admin and as a team lead at each data size; count the queries."""
    from django.db import transaction
    from django.urls import NoReverseMatch, reverse

    from members.policy import OK

    today = today or date.today()
    rows: dict[tuple[str, str], QueryCountRow] = {}
    for size in sizes:
        try:
            with transaction.atomic():
                kwargs_for, viewers = _query_count_world(size, today)
                for name, pattern, policy in page_routes():
                    try:
                        url = reverse(name, kwargs={k: kwargs_for[k] for k in pattern.pattern.converters})
                    except (KeyError, NoReverseMatch):
                        continue
                    for viewer, (user, role) in viewers.items():
                        if policy.get.get(role) == OK:
                            row = rows.setdefault((name, viewer), QueryCountRow(name, viewer, {}))
                            row.counts[size] = _count_page(url, user)
                raise _Rollback
        except _Rollback:
            pass
    return sorted(rows.values(), key=lambda row: (row.route, row.viewer))


# --- The test suite's wall time -------------------------------------------------------------------


# The suite in CI's shape (.ci/run): everything but the container tier (the production image and
# docker-compose.yml brought up whole), which CI runs after it, alone, and times on its own.
CONTAINER_TIER = ("tests/deploy/test_image.py", "tests/deploy/test_compose.py")
SUITE_ARGS = ("-q", "-p", "no:cacheprovider", *(f"--ignore={path}" for path in CONTAINER_TIER))


def measure_suite(extra_env: dict | None = None) -> dict:
    env = {**os.environ, **(extra_env or {})}
    # manage.py sets the project's settings for this process; the suite takes its own from
    # pyproject.toml (the test settings), as `make test` does.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    start = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
        [sys.executable, "-m", "pytest", *SUITE_ARGS],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seconds = time.perf_counter() - start
    summary = next(
        (line.strip("= ") for line in reversed(completed.stdout.splitlines()) if " in " in line and "passed" in line),
        completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else "",
    )
    return {"seconds": round(seconds, 1), "returncode": completed.returncode, "summary": summary}


# --- The machine ----------------------------------------------------------------------------------


def machine_info(postgres_version: str = "") -> dict[str, str]:
    import django

    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "PostgreSQL": postgres_version or "not measured",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["clock", "clock-memory"])
    parser.add_argument("--challenges", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    _setup_django()
    if args.what == "clock":
        print(json.dumps(child_clock(args.challenges, args.sample, args.repeat)))  # noqa: T201
    else:
        print(json.dumps(child_clock_memory(args.challenges)))  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:])
