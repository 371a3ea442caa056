"""``manage.py bench`` (``make bench``): the clock, the pages, query counts and the suite's wall time.

Prints each table and writes them, with the machine they ran on, into docs/BENCHMARKS.md: each
section measured replaces only itself, a skipped one keeps its text and the run it came from
(``tooling.bench_document``). Nothing here asserts a time: the figures are for people to read
beside their targets.
"""

import os
import tempfile
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from tooling import bench_document, benchmarks


def _constant(row: benchmarks.QueryCountRow, sizes: tuple[int, ...]) -> bool:
    """The page answered at every size with the same number of queries."""
    counts = [row.counts.get(size) for size in sizes]
    return all(isinstance(c, int) for c in counts) and len(set(counts)) == 1


def _parse_sizes(value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise CommandError("--sizes takes comma-separated numbers, e.g. 10,300") from None
    if not sizes or min(sizes) < 1:
        raise CommandError("--sizes must be positive")
    return sizes


class Command(BaseCommand):
    help = "Run the benchmarks (clock on PostgreSQL, pages, query counts, test-suite time); write docs/BENCHMARKS.md."

    def add_arguments(self, parser):
        parser.add_argument("--challenges", type=int, default=100_000, help="Due challenges the clock advances.")
        parser.add_argument("--sample", type=int, default=2000, help="Rows in the row-by-row save() sample.")
        parser.add_argument(
            "--repeat", type=int, default=5, help="Timed runs per method, taking turns (the median is shown)."
        )
        parser.add_argument(
            "--database-url",
            default=None,
            help="PostgreSQL database for the clock benchmark (created and migrated; its data is replaced). "
            f"Default: BENCH_DATABASE_URL, else DATABASE_URL's server with database {benchmarks.BENCH_DB_NAME}.",
        )
        parser.add_argument("--sizes", default="10,300", help="Challenge counts for the query-count table.")
        parser.add_argument("--skip-clock", action="store_true")
        parser.add_argument("--skip-pages", action="store_true")
        parser.add_argument("--skip-queries", action="store_true")
        parser.add_argument("--skip-suite", action="store_true", help="Skip timing the test suite (the slow part).")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "BENCHMARKS.md"))
        parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/BENCHMARKS.md alone.")

    def handle(self, *args, **options):
        sizes = _parse_sizes(options["sizes"])
        self.measured: dict[str, str] = {}
        self.postgres_version = ""
        self.started = datetime.now(UTC)
        command = ["python manage.py bench"]

        for flag in ("skip_clock", "skip_pages", "skip_queries", "skip_suite"):
            if options[flag]:
                command.append("--" + flag.replace("_", "-"))
        self.command_line = " ".join(command)
        self.output = None if options["no_write"] else Path(options["output"])
        self.previous = None
        if self.output is not None and self.output.exists():
            self.previous = self.output.read_text(encoding="utf-8")

        if not options["skip_clock"]:
            url = benchmarks.bench_database_url(options["database_url"])
            try:
                with tempfile.TemporaryDirectory(prefix="bench-clock-") as var_dir:
                    clock = benchmarks.run_clock_benchmark(
                        url=url,
                        challenges=options["challenges"],
                        sample=options["sample"],
                        repeat=options["repeat"],
                        var_dir=var_dir,
                        log=self._log,
                    )
            except Exception as exc:  # one failed part must not lose the others' figures
                self._save("1", f"## 1. The clock on PostgreSQL\n\n_Failed: {exc}_")
            else:
                self.postgres_version = clock.postgres_version
                self._save("1", self._clock_section(clock))
        if not options["skip_pages"]:
            self._save("2", self._pages_section())
        if not options["skip_queries"]:
            self._log(f"query counts at {', '.join(map(str, sizes))} challenges …")
            try:
                section = self._queries_section(benchmarks.measure_query_counts(sizes), sizes)
            except Exception as exc:
                section = f"## 3. SQL queries per page\n\n_Failed: {exc} (is the database migrated?)_"
            self._save("3", section)
        if not options["skip_suite"]:
            self._log(f"timing the test suite (pytest {' '.join(benchmarks.SUITE_ARGS)}) …")
            self._save("4", self._suite_section(benchmarks.measure_suite()))

        document = self._save()
        self.stdout.write(document)
        if self.output is not None:
            self._log(f"wrote {self.output}")

    def _save(self, number: str | None = None, section: str | None = None) -> str:
        """Merge what has been measured so far into the document (each section replacing only itself)
        and write it, so a later failure never loses earlier figures."""
        if number is not None:
            self.measured[number] = section
        document = bench_document.merge(
            self.previous,
            measured=self.measured,
            machine=benchmarks.machine_info(self.postgres_version),
            date=f"{self.started:%Y-%m-%d %H:%M} UTC",
            command=self.command_line,
        )
        if self.output is not None:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            self.output.write_text(document, encoding="utf-8")
        return document

    def _log(self, message: str) -> None:
        self.stderr.write(message)

    # --- sections ---------------------------------------------------------------------------------

    def _clock_section(self, clock: benchmarks.ClockFigures) -> str:
        def verdict(value: float, target: float) -> str:
            return "met" if value <= target else "missed"

        def runs(values: list[float]) -> str:
            return ", ".join(f"{s:.2f}" for s in values)

        full_ratio = clock.full_tick_s / clock.raw_update_s
        step_ratio = clock.phase_step_s / clock.floor_s
        step_ratio_before = clock.phase_step_s / clock.floor_surrogate_s
        memory = clock.memory
        peak = memory.get("peak_mb", 1e9)
        full_target, step_target = benchmarks.FULL_TICK_TARGET_RATIO, benchmarks.PHASE_STEP_TARGET_RATIO
        memory_target = benchmarks.MEMORY_TARGET_MB
        lines = [
            "## 1. The clock on PostgreSQL",
            "",
            f"{clock.challenges:,} challenges, all due (launched {benchmarks.LAUNCHED_DAYS_AGO} days ago, still in"
            f" design, the clock down since): each passes design → acceleration → sustainment, so the clock records"
            f" {clock.transitions:,} transitions. Every figure is the median of {clock.repeat} runs per method on the"
            " same data, the methods taking turns (the machine is shared, so single runs are noisy), reset and"
            " `VACUUM ANALYZE`d before each run; times include the commit."
            f" Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the machine's load average then (1, 5, 15 min):"
            f" {', '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} cores.",
            "",
            "| method | seconds | × raw UPDATE |",
            "|---|---:|---:|",
        ]
        lines += [f"| {name} | {seconds:.2f} | {ratio:.2f}× |" for name, seconds, ratio in clock.rows()]
        lines += [
            "",
            "| figure | measured | target | |",
            "|---|---:|---:|---|",
            f"| full tick ÷ raw UPDATE | {full_ratio:.2f}× | ≤ {full_target}× |"
            f" **{verdict(full_ratio, full_target)}** |",
            f"| phase step ÷ the least SQL for the same work | {step_ratio:.2f}× | ≤ {step_target}× |"
            f" **{verdict(step_ratio, step_target)}** |",
            f"| least SQL, natural primary key ÷ surrogate id | {clock.floor_s / clock.floor_surrogate_s:.2f}× |"
            " < 1× (cheaper by the schema) |"
            f" **{verdict(clock.floor_s / clock.floor_surrogate_s, 0.999)}** |",
            f"| worker peak memory | {memory.get('peak_mb', '?')} MB | ≤ {memory_target} MB |"
            f" **{verdict(peak, memory_target)}** |",
            "",
            "- The full tick works only where something changed. It moves the challenges that are due and, in the"
            " same write, stores their progress and status for the new phase; it refreshes a cohort's other"
            " statuses once per local day (`Cohort.statuses_refreshed_on`; here the clock has not run over the"
            " cohorts since they launched); it checks stations against the template only in cohorts whose"
            " template changed (`Cohort.stations_synced`) or for challenges with none (here the stations exist, as"
            " the first tick after the launch made them). It writes nothing for the stations whose day passed"
            " (here every past station left open, one challenge in ten: about 90,000): overdue is read from the"
            " due day in the accelerator's local date, never stored. A check-in, a correction or a goal edited in"
            " the admin refreshes that challenge's status at once.",
            "- The phase step is the tick's phase write without the status columns (record transitions + move"
            " phases, one statement behind the accelerator's row lock), beside the least SQL doing the same work"
            " with the same guarantees: a plain INSERT of the same transitions (foreign key, check and one row per"
            " challenge and phase enforced) and the raw UPDATE, in one transaction. The phase step inserts"
            " only the phases each challenge has not passed, behind the row lock, so a repeated or concurrent"
            " run records nothing twice without `ON CONFLICT`; nothing is sent back (no `RETURNING`): the"
            " notifications read the run's transitions back by its instant, in the notification worker."
            f" Against the surrogate-id layout it would be {step_ratio_before:.2f}×.",
            f"- SQL statements per tick: {clock.statements_per_tick} (the same at any size; pinned by"
            " tests/challenges/test_clock_scale.py).",
            f"- Runs per method (s): full tick {runs(clock.full_tick)}; phase step {runs(clock.phase_step)}; raw"
            f" UPDATE {runs(clock.raw_update)}; least SQL now {runs(clock.floor)}; least SQL before"
            f" {runs(clock.floor_surrogate)}.",
            f"- Worker memory: a process running the Celery task body `challenges.tasks.advance_clock` over the"
            f" {clock.challenges:,} challenges peaked at **{memory.get('peak_mb', '?')} MB** resident"
            f" ({memory.get('before_tick_mb', '?')} MB before the tick; the tick took {memory.get('seconds', '?')} s"
            f" and queued notifications for {memory.get('transitions', 0):,} transitions).",
        ]
        return "\n".join(lines)

    def _pages_section(self) -> str:
        lines = ["## 2. The pages under load", ""]
        if "bench_pages" not in get_commands():
            lines.append("_Skipped: the `bench_pages` command is not installed in this tree._")
            self._log("pages: bench_pages is not available, skipped")
            return "\n".join(lines)
        self._log("pages: running bench_pages …")
        out = StringIO()
        try:
            # The small run and the same ten times larger, each page's share beside the other's.
            call_command("bench_pages", "--scale", "10", stdout=out, stderr=self.stderr._out)
        except Exception as exc:  # a failed page benchmark must not lose the other figures
            lines.append(f"_The page benchmark failed: {exc}_")
            return "\n".join(lines)
        lines.append(out.getvalue().strip())
        return "\n".join(lines)

    def _queries_section(self, rows: list[benchmarks.QueryCountRow], sizes: tuple[int, ...]) -> str:
        header = " | ".join(f"{size} challenges" for size in sizes)
        lines = [
            "## 3. SQL queries per page",
            "",
            "Each page that exists, fetched through Django's test client (after one warm-up request) as a program"
            " admin and as a team lead who sits on every challenge, on a generated cohort of each size"
            " (`tooling.generator`, rolled back afterwards), with as many notifications as challenges.",
            "",
            f"| page | viewer | {header} | constant |",
            "|---|---|" + "---:|" * len(sizes) + ":---:|",
        ]
        for row in rows:
            counts = [row.counts.get(size, "–") for size in sizes]
            constant = "yes" if _constant(row, sizes) else "**no**"
            lines.append(f"| `{row.route}` | {row.viewer} | " + " | ".join(map(str, counts)) + f" | {constant} |")
        if not rows:
            lines.append("| (no pages found) | | " + " | " * len(sizes))
        constant = sum(1 for row in rows if _constant(row, sizes))
        verdict = "met" if rows and constant == len(rows) else "missed"
        lines += [
            "",
            "| figure | measured | target | |",
            "|---|---:|---:|---|",
            f"| pages whose query count is the same at {' and '.join(map(str, sizes))} challenges"
            f" | {constant} of {len(rows)} | all (pinned by tests/dashboards/test_queries.py) | **{verdict}** |",
        ]
        return "\n".join(lines)

    def _suite_section(self, suite: dict) -> str:
        target = benchmarks.SUITE_TARGET_SECONDS
        verdict = "met" if suite["seconds"] <= target else "missed"
        return "\n".join(
            [
                "## 4. The test suite's wall time",
                "",
                f"`pytest {' '.join(benchmarks.SUITE_ARGS)}`, as CI runs the suite (`.ci/run`; the"
                " container tier, which builds the production image and brings docker-compose.yml up"
                " whole, runs after it on its own), on PostgreSQL and Redis when DATABASE_URL and"
                f" REDIS_URL are set. Result: {suite['summary'] or 'n/a'} (exit code {suite['returncode']}).",
                "",
                "| figure | measured | target | |",
                "|---|---:|---:|---|",
                f"| the suite's wall time | {suite['seconds']} s | ≤ {target} s ({target // 60} min) | **{verdict}** |",
            ]
        )
