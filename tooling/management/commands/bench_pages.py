"""``manage.py bench_pages``: the dashboards under load, on PostgreSQL behind gunicorn.

1. Recreates a separate PostgreSQL database (``--database-url``; default ``BENCH_PAGES_DATABASE_URL``,
   else ``postgres://postgres@127.0.0.1:5432/accelerators_bench``), migrates it, and fills it with
   one cohort of 300 challenges × 14 weekly check-ins beside 19 smaller cohorts of its accelerator
   (set-based inserts, then the real clock). ``--scale 10`` then does it all again ten times larger
   (a 3,000-challenge cohort; 10 accelerators × 200 cohorts) and says whether each page's share
   stays within 20% of the small run's.
2. Serves it with gunicorn on 127.0.0.1 under ``accelerators.settings.base`` with DEBUG and
   DEMO_MODE off, and signs an official in by writing a session (Django's SessionStore).
3. Loads each page at concurrency 8 for a bounded time with ``wrk`` (Debian's package), or
   ``locust`` headless when wrk is missing, together with the trivial view ``/healthz`` through
   the same stack in the same run.
4. Prints a Markdown table: requests/s, p50, p95, and each page's throughput as a share of the
   trivial view's beside its target (``PAGES``); then each PDF, not under load: from its first
   request until the PDF is served (a Celery worker on the ``pdf`` queue, started here with the
   same environment as gunicorn, draws it while the reader's page polls), and once more (stored).

Nothing here asserts a time; the figures are for people to read beside their target.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accelerators_bench"
LOAD_SCRIPTS = Path(__file__).resolve().parents[2] / "load"


# Every page an official opens: (name, URL name, URL arguments from what ``seed`` returns, query
# string, sent by htmx, target share of the trivial view's throughput or None). The first row is
# the trivial view every share is taken of.
PAGES = [
    ("trivial view (/healthz)", "healthz", (), "", False, None),
    ("dashboards index", "dashboard_index", (), "", False, None),
    ("accelerator overview", "accelerator_overview", ("slug",), "", False, 0.25),
    ("cohort dashboard", "cohort_board", ("cohort_id",), "", False, 0.25),
    ("cohort dashboard, filtered (htmx)", "cohort_board", ("cohort_id",), "status=at_risk&sort=-progress", True, None),
    ("cohort dashboard, search", "cohort_board", ("cohort_id",), "q=%D0%B2%D1%80%D0%B5%D0%BC%D1%8F", False, None),
    ("challenge page", "challenge_detail", ("challenge_id",), "", False, 0.25),
    ("export CSV", "cohort_export_csv", ("cohort_id",), "", False, 0.20),
    ("export XLSX", "cohort_export_xlsx", ("cohort_id",), "", False, 0.10),
    ("briefing", "cohort_briefing", ("cohort_id",), "", False, 0.15),
    ("cohort report", "cohort_report", ("cohort_id",), "", False, 0.15),
    ("accelerator report", "accelerator_report", ("slug",), "", False, 0.15),
]

# The PDFs: from the first request until the worker's PDF is served, then the same again (stored).
PDFS = [
    ("cohort report PDF", "cohort_report_pdf", ("cohort_id",)),
    ("accelerator report PDF", "accelerator_report_pdf", ("slug",)),
]

# How long a PDF may take to be drawn before the benchmark gives up on it.
PDF_WAIT_SECONDS = 900

# At ``--scale 10`` a page's share should stay within this of the small run's.
SCALE_TOLERANCE = 0.20


@dataclass
class Page:
    name: str
    path: str
    htmx: bool = False
    target: float | None = None
    headers: dict = field(default_factory=dict)
    session: bool = True  # sent with the official's session cookie (the API's rows send a token instead)

    def request_headers(self, cookie: str) -> dict:
        return {
            **({"Cookie": cookie} if self.session else {}),
            **self.headers,
            **({"HX-Request": "true"} if self.htmx else {}),
        }


@dataclass
class Timed:
    name: str
    first_ms: float
    again_ms: float
    size: int


@dataclass
class Measurement:
    page: Page
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    requests: int
    failures: int


class Command(BaseCommand):
    help = (
        "Benchmark the dashboards: a fresh PostgreSQL database with 300 challenges × 14 check-ins, gunicorn, "
        "wrk (or locust) at concurrency 8; throughput and p50/p95 per page beside the trivial /healthz view."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database-url", default=None, help=f"PostgreSQL database to (re)create. {DEFAULT_URL}")
        parser.add_argument("--challenges", type=int, default=300)
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Also run everything this many times larger (10: a 3,000-challenge cohort, 10 accelerators × "
            "200 cohorts) and compare each share with the small run's.",
        )
        parser.add_argument("--checkins", type=int, default=14, help="Weekly check-ins per challenge (≤ 14).")
        parser.add_argument("--duration", type=int, default=10, help="Seconds of load per page.")
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--warmup", type=int, default=2, help="Seconds of unmeasured load per page first.")
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers.")
        parser.add_argument("--tool", choices=["auto", "wrk", "locust"], default="auto")
        parser.add_argument(
            "--redis-url",
            default=os.environ.get("BENCH_REDIS_URL", os.environ.get("REDIS_URL", "")),
            help="Redis for the pages' cache, as in production (default: BENCH_REDIS_URL, else REDIS_URL); "
            "without one the server uses the embedded mode's cache on disk.",
        )
        parser.add_argument("--keep-database", action="store_true", help="Leave the bench database behind.")
        # Internal: the child process that fills the bench database (run with its DATABASE_URL).
        parser.add_argument("--seed-child", action="store_true", help="(internal)")
        parser.add_argument("--accelerators", type=int, default=1, help="(internal) accelerators")
        parser.add_argument("--cohorts", type=int, default=20, help="(internal) cohorts per accelerator")

    def handle(self, *args, **options):
        if options["seed_child"]:
            shape = {"challenges": options["challenges"], "checkins": options["checkins"]}
            shape |= {"accelerators": options["accelerators"], "cohorts": options["cohorts"]}
            self.stdout.write(json.dumps(seed(**shape)))
            return
        if not 1 <= options["checkins"] <= 14:
            raise CommandError("--checkins must be between 1 and 14 (the 100 days hold 14 weekly check-ins)")
        url = options["database_url"] or os.environ.get("BENCH_PAGES_DATABASE_URL") or DEFAULT_URL
        if not url.startswith(("postgres://", "postgresql://")):
            raise CommandError("the page benchmark runs on PostgreSQL: --database-url postgres://…")
        tool = _pick_tool(options["tool"])
        runs = []
        for scale in sorted({1, options["scale"]}):
            shape = {"challenges": options["challenges"] * scale, "accelerators": scale, "cohorts": 20 * scale}
            runs.append((shape, *self._run_once(url, tool, options, shape)))
        self.stdout.write(_report(runs, options, tool))

    def _run_once(self, url: str, tool: str, options: dict, shape: dict):
        var_dir = tempfile.mkdtemp(prefix="bench-pages-")
        env = _child_env(url, var_dir, options["redis_url"])
        server = pdf_worker = None
        try:
            seeded = self._prepare(url, env, options, shape)
            port = _free_port()
            server = self._start_gunicorn(env, port, options["workers"], var_dir)
            results = self._measure(port, seeded, tool, options, var_dir, env)
            # The PDFs are timed on the small run only: WeasyPrint lays a 3,000-challenge report out
            # in tens of minutes on this kind of machine. The worker starts after the load, so it
            # takes nothing from it.
            timed = []
            if shape["accelerators"] == 1:
                pdf_worker = self._start_pdf_worker(env, var_dir)
                timed = self._time_pdfs(port, seeded)
            return seeded, results, timed
        finally:
            if pdf_worker is not None:
                pdf_worker.terminate()
                try:
                    pdf_worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    pdf_worker.kill()
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
            if not options["keep_database"]:
                try:
                    drop_database(url)
                except Exception as exc:  # the figures matter more than the clean-up
                    self._log(f"database: could not drop it ({exc})")
            shutil.rmtree(var_dir, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------------

    def _prepare(self, url: str, env: dict, options: dict, shape: dict) -> dict:
        """A fresh bench database, migrated and filled by a child process; returns what it made."""
        self._log(f"database: recreating {_redact(url)}")
        recreate_database(url)
        self._run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        self._log(
            f"data: {shape['challenges']} challenges × {options['checkins']} check-ins, "
            f"{shape['accelerators']} accelerator(s) × {shape['cohorts']} cohorts …"
        )
        started = time.monotonic()
        child = [sys.executable, "manage.py", "bench_pages", "--seed-child", f"--checkins={options['checkins']}"]
        child += [f"--challenges={shape['challenges']}", f"--accelerators={shape['accelerators']}"]
        child += [f"--cohorts={shape['cohorts']}"]
        seeded = json.loads(self._run(child, env).strip().splitlines()[-1])
        self._log(f"data: made in {time.monotonic() - started:.0f} s")
        return seeded

    def _time_pdfs(self, port: int, seeded: dict) -> list[Timed]:
        """Each PDF as its first reader gets it: from the first request (the page that waits) until a
        request is answered with the PDF, asking every half second; then once more (stored)."""
        headers, timed = {"Cookie": f"sessionid={seeded['session_key']}"}, []
        for name, url_name, arguments in PDFS:
            path = _path(url_name, arguments, seeded)
            self._log(f"pdf: {name}")
            started = time.monotonic()
            status, body = _get(port, path, headers)
            while status == 200 and not body.startswith(b"%PDF") and time.monotonic() - started < PDF_WAIT_SECONDS:
                time.sleep(0.5)
                status, body = _get(port, path, headers)
            first = (time.monotonic() - started) * 1000
            again = time.monotonic()
            status, body = _get(port, path, headers)
            if status != 200 or not body.startswith(b"%PDF"):
                raise CommandError(f"{path} answered {status}, not a PDF: {body[:300]!r}")
            timed.append(Timed(name, first, (time.monotonic() - again) * 1000, len(body)))
        return timed

    def _start_pdf_worker(self, env: dict, var_dir: str) -> subprocess.Popen:
        """The worker that draws the PDFs, on their queue, with gunicorn's environment (database,
        broker: Redis, or the filesystem broker under the same ``VAR_DIR``)."""
        self._log("worker: celery, the pdf queue, 1 process")
        log_path = Path(var_dir) / "pdf-worker.log"
        log = open(log_path, "w")  # noqa: SIM115 (lives as long as the worker)
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "accelerators", "worker", "--loglevel=INFO"]
            + ["--concurrency=1", "-Q", env.get("REPORT_PDF_QUEUE", "pdf"), "-n", f"bench-pdf-{os.getpid()}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return _until_ready(worker, lambda: " ready." in log_path.read_text(), "the pdf worker", log_path)

    def _measure(self, port: int, seeded: dict, tool: str, options: dict, var_dir: str, env: dict) -> list:
        base, cookie = f"http://127.0.0.1:{port}", f"sessionid={seeded['session_key']}"
        pages = _pages(seeded)
        self._preflight(port, pages, cookie)
        results = []
        for page in pages:
            self._log(f"load: {page.name} ({options['duration']} s at concurrency {options['concurrency']}, {tool})")
            headers = page.request_headers(cookie)
            if options["warmup"]:
                # Every worker compiles its templates and opens its database connection first.
                _load(tool, base, page, headers, options["warmup"], options["concurrency"], var_dir, env)
            results.append(_load(tool, base, page, headers, options["duration"], options["concurrency"], var_dir, env))
        return results

    def _log(self, message: str) -> None:
        self.stderr.write(f"bench_pages: {message}")

    def _run(self, command: list[str], env: dict) -> str:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise CommandError(f"{' '.join(command[1:4])} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def _start_gunicorn(self, env: dict, port: int, workers: int, var_dir: str) -> subprocess.Popen:
        self._log(f"server: gunicorn, {workers} workers, on 127.0.0.1:{port}")
        log = open(Path(var_dir) / "gunicorn.log", "w")  # noqa: SIM115 (lives as long as the server)
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "accelerators.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--log-level=warning",
                "--preload",  # import the app once, before the workers fork
                "--timeout=600",  # a 3,000-challenge report's HTML (for its PDF) takes seconds
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def answers() -> bool:
            try:
                return _get(port, "/healthz", {})[0] == 200
            except OSError:
                return False

        return _until_ready(server, answers, "gunicorn", Path(var_dir) / "gunicorn.log")

    def _preflight(self, port: int, pages: list[Page], cookie: str) -> None:
        """Every page answers 200 for the signed-in official (not a login redirect); also warms up."""
        for page in pages:
            headers = page.request_headers(cookie)
            for _ in range(3):
                status, body = _get(port, page.path, headers)
                if status != 200:
                    raise CommandError(f"{page.path} answered {status}, not 200: {body[:300]!r}")


# --- The database ----------------------------------------------------------------------------------


def _until_ready(process: subprocess.Popen, ready, what: str, log_path: Path, seconds: float = 60):
    """``process`` once ``ready()`` says so; killed, and the command stopped, if it exits or takes
    longer than ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"{what} exited: {log_path.read_text()[-2000:]}")
        if ready():
            return process
        time.sleep(0.3)
    process.kill()
    raise CommandError(f"{what} was not ready within {seconds:.0f} s")


def _connect_server(url: str):
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    connection = psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )
    return connection, config["NAME"]


def recreate_database(url: str) -> None:
    from psycopg import sql

    connection, name = _connect_server(url)
    with connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    from psycopg import sql

    connection, name = _connect_server(url)
    with connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _child_env(url: str, var_dir: str, redis_url: str = "") -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "accelerators.settings.base",
        "DEBUG": "0",
        "DEMO_MODE": "0",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": var_dir,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    for name in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "TEST_DB_SUFFIX"):
        env.pop(name, None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    # The API's rate limit is still counted on every request (one Redis round trip); its budget
    # is raised so wrk's thousands of requests a minute measure the reads, not 429s.
    env["API_RATE_LIMIT"] = "1000000000"
    return env


# --- The data (runs in the child, against the bench database) ---------------------------------------

TITLES = [
    "Cut the wait for a residency visa at centre {n}",
    "خفض زمن انتظار المراجعين في المركز {n}",
    "Сократить время ожидания в поликлинике № {n}",
    "{n}-tuman: davlat xizmatlari oʻrtacha kutish vaqtini qisqartirish",
]


def _bench_challenges(rng, cohort, entities, count: int) -> list:
    from challenges.models import Challenge

    rows = []
    for i in range(count):
        baseline = Decimal(rng.randint(40, 200))
        increase = i % 3 == 0
        change = (baseline * Decimal(rng.randint(15, 45)) / 100).quantize(Decimal("1"))
        rows.append(
            Challenge(
                cohort=cohort,
                title=TITLES[i % len(TITLES)].format(n=i + 1),
                lead_entity=entities[i % len(entities)],
                metric="Waiting time" if not increase else "E-service uptake",
                unit="minutes" if not increase else "%",
                direction="increase" if increase else "decrease",
                baseline_value=baseline,
                target_value=baseline + change if increase else baseline - change,
            )
        )
    return rows


def _bench_checkins(rng, challenges, leads, checkins: int, cadence: int, launch) -> list:
    from challenges.models import CheckIn

    reports = []
    for challenge, lead in zip(challenges, leads, strict=True):
        pace = rng.uniform(0.4, 1.3)  # how far along the straight line this team really goes
        span = challenge.target_value - challenge.baseline_value
        for period in range(1, checkins + 1):
            share = min(period * cadence / 100 * pace + rng.uniform(-0.05, 0.05), 1.2)
            value = challenge.baseline_value + span * Decimal(str(round(share, 3)))
            reports.append(
                CheckIn(
                    challenge=challenge,
                    author=lead,
                    period=period,
                    reported_on=launch + timedelta(days=period * cadence),
                    value=value.quantize(Decimal("0.01")),
                    done="Weekly team meeting; removed a bottleneck.",
                    confidence=rng.randint(2, 5),
                )
            )
    return reports


# Challenges per cohort beside the measured one: the overview and the accelerator report count them.
FILLER_CHALLENGES = 10


def _filler(*, source_cohort, accelerators: list, cohorts: int) -> None:
    """``cohorts`` launched cohorts per accelerator (the first accelerator's measured one among them),
    each a copy of the measured cohort's first ``FILLER_CHALLENGES`` challenges and their check-ins:
    three INSERT … SELECT statements whatever the size."""
    from django.db import connection

    from challenges.models import Challenge, CheckIn
    from cohorts.models import Cohort, Entity

    launch = source_cohort.launch_date
    made = []
    for accelerator in accelerators:
        first = 2 if accelerator.pk == source_cohort.accelerator_id else 1
        made += [
            Cohort(
                accelerator=accelerator,
                number=number,
                name=f"Cohort {number}",
                design_start=launch - timedelta(days=30),
                launch_date=launch,
                status=Cohort.Status.LAUNCHED,
                launched_at=source_cohort.launched_at,
                sustainment_days=accelerator.sustainment_days,
            )
            for number in range(first, cohorts + 1)
        ]
        Entity.objects.get_or_create(accelerator=accelerator, name="Ministry 1")
    Cohort.objects.bulk_create(made, batch_size=2000)
    challenge_columns = [f.column for f in Challenge._meta.concrete_fields if not f.primary_key]
    picked = ", ".join(
        {"cohort_id": "k.id", "lead_entity_id": "e.id"}.get(column, f"src.{column}") for column in challenge_columns
    )
    checkin_columns = [f.column for f in CheckIn._meta.concrete_fields if not f.primary_key]
    copied = ", ".join("new.id" if column == "challenge_id" else f"ci.{column}" for column in checkin_columns)
    challenges, checkins = Challenge._meta.db_table, CheckIn._meta.db_table
    cohorts_table, entities = Cohort._meta.db_table, Entity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {challenges} ({", ".join(challenge_columns)})
                SELECT {picked}
                FROM (SELECT * FROM {challenges} WHERE cohort_id = %s ORDER BY id LIMIT %s) src
                CROSS JOIN {cohorts_table} k
                JOIN {entities} e ON e.accelerator_id = k.accelerator_id AND e.name = 'Ministry 1'
                WHERE k.id <> %s""",
            [source_cohort.pk, FILLER_CHALLENGES, source_cohort.pk],
        )
        cursor.execute(
            f"""INSERT INTO {checkins} ({", ".join(checkin_columns)})
                SELECT {copied}
                FROM {checkins} ci
                JOIN {challenges} src ON src.id = ci.challenge_id AND src.cohort_id = %s
                JOIN {challenges} new ON new.title = src.title AND new.cohort_id <> %s""",
            [source_cohort.pk, source_cohort.pk],
        )


def seed(*, challenges: int, checkins: int, accelerators: int = 1, cohorts: int = 1) -> dict:
    """One launched cohort near Day 100 beside ``cohorts - 1`` smaller ones, in the first of
    ``accelerators`` accelerators of ``cohorts`` cohorts each: set-based inserts, then the real
    clock sets phase and status."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction
    from django.db.models import OuterRef, Subquery

    from challenges.clock import clock_tick
    from challenges.models import Challenge, CheckIn
    from cohorts.models import Entity, User
    from cohorts.services import cohort_create, cohort_mark_launched
    from members.models import AcceleratorRole, Membership
    from program_admin.services import accelerator_create

    rng = random.Random(2026)
    with transaction.atomic():
        accelerator = accelerator_create(
            name="Bench accelerator", slug="bench", country="UZ", time_zone="Asia/Tashkent", default_language="en"
        )
        cadence = accelerator.checkin_cadence_days
        today = accelerator.local_today()
        day = min(checkins * cadence + 1, 100)
        launch = today - timedelta(days=day)
        official = User.objects.create_user(email="official@bench.example", full_name="Bench Official")
        AcceleratorRole.objects.create(user=official, accelerator=accelerator, role=AcceleratorRole.Role.OFFICIAL)
        cohort = cohort_create(
            accelerator=accelerator,
            number=1,
            name="Bench cohort",
            design_start=launch - timedelta(days=30),
            launch_date=launch,
        )
        cohort_mark_launched(cohort=cohort, by=official)
        entities = Entity.objects.bulk_create(
            [Entity(accelerator=accelerator, name=f"Ministry {i + 1}") for i in range(12)]
        )
        leads = User.objects.bulk_create(
            [
                User(email=f"lead{i}@bench.example", full_name=f"Team Lead {i:03d}", password="!", is_generated=True)
                for i in range(challenges)
            ]
        )
        created = Challenge.objects.bulk_create(_bench_challenges(rng, cohort, entities, challenges))
        Membership.objects.bulk_create(
            [
                Membership(challenge=challenge, user=lead, role=Membership.Role.TEAM_LEAD)
                for challenge, lead in zip(created, leads, strict=True)
            ]
        )
        CheckIn.objects.bulk_create(_bench_checkins(rng, created, leads, checkins, cadence, launch), batch_size=2000)
        latest = CheckIn.objects.filter(challenge=OuterRef("pk")).order_by("-period")
        Challenge.objects.filter(cohort=cohort).update(
            current_value=Subquery(latest.values("value")[:1]),
            last_checkin_on=Subquery(latest.values("reported_on")[:1]),
        )
        others = [
            accelerator_create(
                name=f"Bench accelerator {n}", slug=f"bench-{n}", country="UZ", time_zone="Asia/Tashkent"
            )
            for n in range(2, accelerators + 1)
        ]
        _filler(source_cohort=cohort, accelerators=[accelerator, *others], cohorts=cohorts)
    clock_tick(accelerator_ids=[accelerator.id, *(other.id for other in others)], notify=False)
    api_and_public = seed_api_and_public(official=official, challenges=challenges, checkins=checkins)
    with connection.cursor() as cursor:
        # Planner statistics and visibility maps (index-only scans), as autovacuum keeps them on a
        # database in service; without the second, every count reads the table itself.
        cursor.execute("VACUUM ANALYZE")

    session = SessionStore()
    session[SESSION_KEY] = str(official.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = official.get_session_auth_hash()
    session.create()
    return {
        **api_and_public,
        "session_key": session.session_key,
        "slug": accelerator.slug,
        "cohort_id": cohort.pk,
        "challenge_id": created[0].pk,
        "day": day,
        "checkins": CheckIn.objects.filter(challenge__cohort=cohort).count(),
        "challenges": len(created),
        "accelerators": accelerators,
        "cohorts": cohorts,
        "all_challenges": Challenge.objects.count(),
    }


# --- The API, the public results page and the first PDF (a block of its own) -------------------------


def seed_api_and_public(*, official, challenges: int, checkins: int) -> dict:
    """A read token of the bench accelerator, and a second, published accelerator whose cohort of the
    same size landed 20 days ago, each challenge with its Day-100 landing (for the public page)."""
    from api.tokens import token_create
    from challenges.clock import clock_tick
    from challenges.models import Challenge, CheckIn
    from cohorts.models import Accelerator, Entity
    from cohorts.services import cohort_create, cohort_mark_launched
    from journey.artifacts import ArtifactKind
    from journey.models import Artifact
    from program_admin.services import accelerator_create

    bench = Accelerator.objects.get(slug="bench")
    token = token_create(accelerator=bench, by=official, name="bench", scope="read").plaintext
    rng = random.Random(2027)
    public = accelerator_create(
        name="Bench results", slug="bench-results", country="UZ", time_zone="Asia/Tashkent", default_language="en"
    )
    Accelerator.objects.filter(pk=public.pk).update(publishes_results=True)
    launch = public.local_today() - timedelta(days=120)
    cohort = cohort_create(
        accelerator=public, number=1, name="Landed cohort", design_start=launch - timedelta(days=30), launch_date=launch
    )
    cohort_mark_launched(cohort=cohort, by=official)
    entities = Entity.objects.bulk_create([Entity(accelerator=public, name=f"Agency {i + 1}") for i in range(12)])
    created = Challenge.objects.bulk_create(_bench_challenges(rng, cohort, entities, challenges))
    cadence = public.checkin_cadence_days
    CheckIn.objects.bulk_create(
        _bench_checkins(rng, created, [official] * len(created), checkins, cadence, launch), batch_size=2000
    )
    Artifact.objects.bulk_create(
        [
            Artifact(
                challenge=challenge,
                kind=ArtifactKind.LANDING,
                author=official,
                produced_on=launch + timedelta(days=100),
                content={"impact_narrative": f"Families served faster at centre {n + 1}.", "lives": str(100 * n)},
            )
            for n, challenge in enumerate(created)
        ]
    )
    clock_tick(accelerator_ids=[public.id], notify=False)
    return {"api_token": token, "public_slug": public.slug}


API_TARGET = 0.40  # issue 20: the API's list endpoints ≥ 40% of /healthz


def _api_and_public_pages(seeded: dict) -> list[Page]:
    from django.urls import reverse

    token = {"Authorization": f"Bearer {seeded['api_token']}"}
    cohort = seeded["cohort_id"]
    return [
        Page(
            "API: challenges (50 a page)",
            reverse("api:api_challenges"),
            headers=token,
            session=False,
            target=API_TARGET,
        ),
        Page(
            "API: challenges of a cohort, at risk",
            reverse("api:api_challenges") + f"?cohort={cohort}&status=at_risk",
            headers=token,
            session=False,
            target=API_TARGET,
        ),
        Page(
            "API: check-ins (50 a page)", reverse("api:api_checkins"), headers=token, session=False, target=API_TARGET
        ),
        Page("API: cohorts", reverse("api:api_cohorts"), headers=token, session=False, target=API_TARGET),
        Page("public results (no session)", reverse("public_results", args=[seeded["public_slug"]]), session=False),
    ]


# --- Load ---------------------------------------------------------------------------------------------


def _path(url_name: str, arguments: tuple, seeded: dict, query: str = "") -> str:
    from django.urls import reverse

    return reverse(url_name, args=[seeded[name] for name in arguments]) + (f"?{query}" if query else "")


def _pages(seeded: dict) -> list[Page]:
    return [
        Page(name, _path(url_name, arguments, seeded, query), htmx, target)
        for name, url_name, arguments, query, htmx, target in PAGES
    ] + _api_and_public_pages(seeded)


def _pick_tool(choice: str) -> str:
    if choice in ("auto", "wrk") and shutil.which("wrk"):
        return "wrk"
    if choice == "wrk":
        raise CommandError("wrk is not installed (apt-get install -y wrk), or use --tool locust")
    if shutil.which("locust") or (Path(sys.executable).parent / "locust").exists():
        return "locust"
    raise CommandError("neither wrk (apt-get install -y wrk) nor locust (pip install '.[test]') is installed")


def _load(tool, base, page, headers, duration, concurrency, var_dir, env) -> Measurement:
    if tool == "wrk":
        return _wrk(base, page, headers, duration, concurrency, var_dir)
    return _locust(base, page, headers, duration, concurrency, var_dir, env)


def _wrk(base, page, headers, duration, concurrency, var_dir) -> Measurement:
    script = LOAD_SCRIPTS / "report.lua"
    command = ["wrk", f"--threads={min(2, concurrency)}", f"--connections={concurrency}", f"--duration={duration}s"]
    command += ["--timeout=60s", f"--script={script}"]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    done = subprocess.run([*command, base + page.path], capture_output=True, text=True, check=False)  # noqa: S603
    line = next((row for row in done.stdout.splitlines() if row.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise CommandError(f"wrk failed on {page.path}: {done.stderr or done.stdout}")
    requests, duration_us, p50_us, p95_us, bad_status, errors = (int(x) for x in line.split()[1:])
    return Measurement(
        page, requests / (duration_us / 1e6), p50_us / 1000, p95_us / 1000, requests, bad_status + errors
    )


def _locust(base, page, headers, duration, concurrency, var_dir, env) -> Measurement:
    import csv

    locustfile = LOAD_SCRIPTS / "page_locustfile.py"
    prefix = Path(var_dir) / f"locust-{abs(hash(page.path))}"
    locust = shutil.which("locust") or str(Path(sys.executable).parent / "locust")
    command = [locust, "-f", str(locustfile), "--headless", f"--users={concurrency}", f"--spawn-rate={concurrency}"]
    command += [f"--run-time={duration}s", f"--host={base}", f"--csv={prefix}", "--only-summary", "--loglevel=ERROR"]
    run_env = {**env, "BENCH_PATH": page.path, "BENCH_HEADERS": json.dumps(headers)}
    subprocess.run(command, env=run_env, capture_output=True, text=True, check=False)  # noqa: S603
    with open(f"{prefix}_stats.csv", newline="") as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    return Measurement(
        page,
        float(row["Requests/s"]),
        float(row["50%"]),
        float(row["95%"]),
        int(row["Request Count"]),
        int(row["Failure Count"]),
    )


def _get(port: int, path: str, headers: dict, timeout: float = 120) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redact(url: str) -> str:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return url.replace(f":{parsed.password}@", ":***@") if parsed.password else url


def _share(m: Measurement, trivial: Measurement) -> float:
    return m.requests_per_s / trivial.requests_per_s if trivial.requests_per_s else 0.0


def _verdict(share: float, target: float | None) -> str:
    if target is None:
        return "–"
    return f"≥ {target:.0%} **{'met' if share >= target else 'missed'}**"


def _describe(seeded: dict) -> str:
    return (
        f"a cohort of {seeded['challenges']:,} challenges × {seeded['checkins'] // max(seeded['challenges'], 1)} "
        f"check-ins (Day {seeded['day']}) among {seeded['accelerators']} accelerator(s) × {seeded['cohorts']} "
        f"cohorts ({seeded['all_challenges']:,} challenges in all)"
    )


def _report(runs: list, options: dict, tool: str) -> str:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"PostgreSQL, cache {'on Redis' if options['redis_url'] else 'on disk'}, gunicorn with {options['workers']} "
        f"sync workers, {tool} at concurrency {options['concurrency']} for {options['duration']} s per page, "
        f"{os.cpu_count()} CPUs, load average at the end {load} (1 / 5 / 15 min).",
    ]
    small = None
    for _shape, seeded, results, timed in runs:
        trivial = results[0]
        lines += ["", f"**{_describe(seeded)}**", ""]
        header = "| page | req/s | p50 (ms) | p95 (ms) | throughput vs trivial view | target | failed |"
        rule = "|---|---:|---:|---:|---:|---|---:|"
        if small is not None:
            header, rule = header + " vs small run |", rule + "---|"
        lines += [header, rule]
        for m in results:
            share = _share(m, trivial)
            row = f"| {m.page.name} | {m.requests_per_s:,.1f} | {m.p50_ms:.1f} | {m.p95_ms:.1f} | {share:.0%} | "
            row += f"{_verdict(share, m.page.target)} | {m.failures} |"
            if small is not None:
                before = next((_share(b, small[0]) for b in small if b.page.name == m.page.name), 0.0)
                within = before and abs(share - before) / before <= SCALE_TOLERANCE
                kept = share / before if before else 0
                row += f" {kept:.0%} of {before:.0%}: {'within' if within else 'not within'} 20% |"
            lines.append(row)
        if timed:
            lines += ["", "| PDF | first request until served (ms) | again (ms) | size (KiB) |", "|---|---:|---:|---:|"]
            lines += [f"| {t.name} | {t.first_ms:,.0f} | {t.again_ms:,.0f} | {t.size / 1024:,.0f} |" for t in timed]
        small = small or results
    return "\n".join(lines) + "\n"
