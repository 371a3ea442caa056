"""``manage.py bench_pages``: the dashboards under load, on PostgreSQL behind gunicorn.

1. Recreates a separate PostgreSQL database (``--database-url``; default ``BENCH_PAGES_DATABASE_URL``,
   else ``postgres://postgres@127.0.0.1:5432/accelerators_bench``), migrates it, and fills it with
   one cohort of 300 challenges × 14 weekly check-ins (set-based inserts, then the real clock).
2. Serves it with gunicorn on 127.0.0.1 under ``accelerators.settings.base`` with DEBUG and
   DEMO_MODE off, and signs an official in by writing a session (Django's SessionStore).
3. Loads each page at concurrency 8 for a bounded time with ``wrk`` (Debian's package), or
   ``locust`` headless when wrk is missing, together with the trivial view ``/healthz`` through
   the same stack in the same run.
4. Prints a Markdown table: requests/s, p50, p95, and each page's throughput as a share of the
   trivial view's. Target: the cohort dashboard at ≥ 25%.

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
TARGET_SHARE = 0.25
LOAD_SCRIPTS = Path(__file__).resolve().parents[2] / "load"


@dataclass
class Page:
    name: str
    path: str
    htmx: bool = False
    headers: dict = field(default_factory=dict)
    session: bool = True  # sent with the official's session cookie (the API's rows send a token instead)

    def request_headers(self, cookie: str) -> dict:
        return {
            **({"Cookie": cookie} if self.session else {}),
            **self.headers,
            **({"HX-Request": "true"} if self.htmx else {}),
        }


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

    def handle(self, *args, **options):
        if options["seed_child"]:
            self.stdout.write(json.dumps(seed(challenges=options["challenges"], checkins=options["checkins"])))
            return
        if not 1 <= options["checkins"] <= 14:
            raise CommandError("--checkins must be between 1 and 14 (the 100 days hold 14 weekly check-ins)")
        url = options["database_url"] or os.environ.get("BENCH_PAGES_DATABASE_URL") or DEFAULT_URL
        if not url.startswith(("postgres://", "postgresql://")):
            raise CommandError("the page benchmark runs on PostgreSQL: --database-url postgres://…")
        tool = _pick_tool(options["tool"])
        var_dir = tempfile.mkdtemp(prefix="bench-pages-")
        env = _child_env(url, var_dir, options["redis_url"])
        server = None
        try:
            seeded = self._prepare(url, env, options)
            port = _free_port()
            server = self._start_gunicorn(env, port, options["workers"], var_dir)
            self._log("first request: the cohort report as PDF (timed alone, not under wrk)")
            first = first_requests(port, seeded)
            results = self._measure(port, seeded, tool, options, var_dir, env)
            self.stdout.write(_report(results, options, tool, seeded) + _first_requests_report(first))
        finally:
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

    def _prepare(self, url: str, env: dict, options: dict) -> dict:
        """A fresh bench database, migrated and filled by a child process; returns what it made."""
        self._log(f"database: recreating {_redact(url)}")
        recreate_database(url)
        self._run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        self._log(f"data: {options['challenges']} challenges × {options['checkins']} check-ins …")
        child = [sys.executable, "manage.py", "bench_pages", "--seed-child"]
        child += [f"--challenges={options['challenges']}", f"--checkins={options['checkins']}"]
        return json.loads(self._run(child, env).strip().splitlines()[-1])

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
                "--timeout=60",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited: {(Path(var_dir) / 'gunicorn.log').read_text()[-2000:]}")
            try:
                if _get(port, "/healthz", {})[0] == 200:
                    return server
            except OSError:
                pass
            time.sleep(0.3)
        server.kill()
        raise CommandError("gunicorn did not answer /healthz within 60 s")

    def _preflight(self, port: int, pages: list[Page], cookie: str) -> None:
        """Every page answers 200 for the signed-in official (not a login redirect); also warms up."""
        for page in pages:
            headers = page.request_headers(cookie)
            for _ in range(3):
                status, body = _get(port, page.path, headers)
                if status != 200:
                    raise CommandError(f"{page.path} answered {status}, not 200: {body[:300]!r}")


# --- The database ----------------------------------------------------------------------------------


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


def seed(*, challenges: int, checkins: int) -> dict:
    """One launched cohort near Day 100: set-based inserts, then the real clock sets phase and status."""
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
    clock_tick(accelerator_ids=[accelerator.id], notify=False)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum would have gathered them on a database in service.
        cursor.execute("ANALYZE")

    session = SessionStore()
    session[SESSION_KEY] = str(official.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = official.get_session_auth_hash()
    session.create()
    return {
        **seed_api_and_public(official=official, challenges=challenges, checkins=checkins),
        "session_key": session.session_key,
        "slug": accelerator.slug,
        "cohort_id": cohort.pk,
        "challenge_id": created[0].pk,
        "day": day,
        "checkins": CheckIn.objects.filter(challenge__cohort=cohort).count(),
        "challenges": len(created),
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


def _api_and_public_pages(seeded: dict) -> list[Page]:
    from django.urls import reverse

    token = {"Authorization": f"Bearer {seeded['api_token']}"}
    cohort = seeded["cohort_id"]
    return [
        Page("API: challenges (50 a page)", reverse("api:api_challenges"), headers=token, session=False),
        Page(
            "API: challenges of a cohort, at risk",
            reverse("api:api_challenges") + f"?cohort={cohort}&status=at_risk",
            headers=token,
            session=False,
        ),
        Page("API: check-ins (50 a page)", reverse("api:api_checkins"), headers=token, session=False),
        Page("API: cohorts", reverse("api:api_cohorts"), headers=token, session=False),
        Page("public results (no session)", reverse("public_results", args=[seeded["public_slug"]]), session=False),
    ]


def first_requests(port: int, seeded: dict) -> list[tuple[str, float, int, float]]:
    """The cohort report as PDF, requested once on a fresh server: seconds, bytes, the load average then."""
    from django.urls import reverse

    timed = []
    path = reverse("cohort_report_pdf", args=[seeded["cohort_id"]])
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={seeded['session_key']}"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    name = f"cohort report PDF ({seeded['challenges']} challenges)"
    if response.status != 200:  # e.g. gunicorn's worker timeout (60 s here): the figure is the failure
        name += f": answered {response.status}"
    timed.append((name, time.monotonic() - started, len(body), os.getloadavg()[0]))
    return timed


def _first_requests_report(timed: list[tuple[str, float, int, float]]) -> str:
    lines = [
        "",
        "First requests, one at a time on the fresh server, before the load (not under wrk):",
        "",
        "| request | seconds | bytes | load average (1 min) |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {seconds:.1f} | {size:,} | {load:.1f} |" for name, seconds, size, load in timed]
    return "\n".join(lines) + "\n"


# --- Load ---------------------------------------------------------------------------------------------


def _pages(seeded: dict) -> list[Page]:
    from django.urls import NoReverseMatch, reverse

    cohort = seeded["cohort_id"]
    pages = [
        Page("trivial view (/healthz)", reverse("healthz")),
        Page("dashboards index", reverse("dashboard_index")),
        Page("accelerator overview", reverse("accelerator_overview", args=[seeded["slug"]])),
        Page("cohort dashboard", reverse("cohort_board", args=[cohort])),
        Page(
            "cohort dashboard, filtered (htmx table)",
            reverse("cohort_board", args=[cohort]) + "?status=at_risk&sort=-progress",
            htmx=True,
        ),
        Page("cohort dashboard, search", reverse("cohort_board", args=[cohort]) + "?q=%D0%B2%D1%80%D0%B5%D0%BC%D1%8F"),
        Page("export CSV", reverse("cohort_export_csv", args=[cohort])),
        Page("export XLSX", reverse("cohort_export_xlsx", args=[cohort])),
        Page("briefing", reverse("cohort_briefing", args=[cohort])),
    ]
    try:
        pages.append(
            Page("challenge page", reverse("challenge_detail", kwargs={"challenge_id": seeded["challenge_id"]}))
        )
    except NoReverseMatch:
        pass
    return pages + _api_and_public_pages(seeded)


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
    command += ["--timeout=30s", f"--script={script}"]
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


def _get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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


def _report(results: list[Measurement], options: dict, tool: str, seeded: dict) -> str:
    trivial = results[0]
    lines = [
        f"{seeded['challenges']} challenges × {seeded['checkins'] // max(seeded['challenges'], 1)} check-ins "
        f"(Day {seeded['day']}), PostgreSQL, cache {'on Redis' if options['redis_url'] else 'on disk'}, "
        f"gunicorn with {options['workers']} sync workers, {tool} at "
        f"concurrency {options['concurrency']} for {options['duration']} s per page, {os.cpu_count()} CPUs.",
        "",
        "| page | req/s | p50 (ms) | p95 (ms) | throughput vs trivial view | failed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        share = m.requests_per_s / trivial.requests_per_s if trivial.requests_per_s else 0
        figures = f"{m.requests_per_s:,.1f} | {m.p50_ms:.1f} | {m.p95_ms:.1f} | {share:.0%} | {m.failures}"
        lines.append(f"| {m.page.name} | {figures} |")
    board = next(m for m in results if m.page.name == "cohort dashboard")
    share = board.requests_per_s / trivial.requests_per_s if trivial.requests_per_s else 0
    verdict = "met" if share >= TARGET_SHARE else "missed"
    lines += ["", f"Cohort dashboard at {share:.0%} of the trivial view's throughput: target ≥ 25% **{verdict}**."]
    return "\n".join(lines) + "\n"
