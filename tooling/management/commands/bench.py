"""``manage.py bench`` (``make bench``): the clock, the pages, query counts and the suite's wall time.

Prints each table and writes them, with the machine they ran on, to docs/BENCHMARKS.md. Nothing
here asserts a time: the figures are for people to read beside their targets.
"""

import tempfile
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from tooling import benchmarks


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
        parser.add_argument("--repeat", type=int, default=3, help="Timed runs per method (the median is shown).")
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
        sections: list[str] = []
        postgres_version = ""
        command = ["python manage.py bench"]

        for flag in ("skip_clock", "skip_pages", "skip_queries", "skip_suite"):
            if options[flag]:
                command.append("--" + flag.replace("_", "-"))
        self.command_line = " ".join(command)
        self.output = None if options["no_write"] else Path(options["output"])

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
                sections.append(f"## 1. The clock on PostgreSQL\n\n_Failed: {exc}_")
            else:
                postgres_version = clock.postgres_version
                sections.append(self._clock_section(clock))
            self._save(sections, postgres_version)
        if not options["skip_pages"]:
            sections.append(self._pages_section())
            self._save(sections, postgres_version)
        if not options["skip_queries"]:
            self._log(f"query counts at {', '.join(map(str, sizes))} challenges …")
            try:
                sections.append(self._queries_section(benchmarks.measure_query_counts(sizes), sizes))
            except Exception as exc:
                sections.append(f"## 3. SQL queries per page\n\n_Failed: {exc} (is the database migrated?)_")
            self._save(sections, postgres_version)
        if not options["skip_suite"]:
            self._log("timing the test suite (pytest -q -p no:cacheprovider) …")
            sections.append(self._suite_section(benchmarks.measure_suite()))
            self._save(sections, postgres_version)

        document = self._save(sections, postgres_version)
        self.stdout.write(document)
        if self.output is not None:
            self._log(f"wrote {self.output}")

    def _save(self, sections: list[str], postgres_version: str) -> str:
        """Write what has been measured so far, so a later failure never loses earlier figures."""
        document = self._document(benchmarks.machine_info(postgres_version), sections, self.command_line)
        if self.output is not None:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            self.output.write_text(document, encoding="utf-8")
        return document

    def _log(self, message: str) -> None:
        self.stderr.write(message)

    # --- sections ---------------------------------------------------------------------------------

    def _clock_section(self, clock: benchmarks.ClockFigures) -> str:
        target = benchmarks.CLOCK_TARGET_RATIO
        lines = [
            "## 1. The clock on PostgreSQL",
            "",
            f"{clock.challenges:,} challenges, all due (launched {benchmarks.LAUNCHED_DAYS_AGO} days ago, still in"
            f" design): each passes design → acceleration → sustainment, so the clock records"
            f" {clock.transitions:,} transitions. Median of {clock.repeat} runs per method on the same data, reset"
            " and `VACUUM ANALYZE`d before each run; times include the commit.",
            "",
            "| method | seconds | × raw UPDATE |",
            "|---|---:|---:|",
        ]
        lines += [f"| {name} | {seconds:.2f} | {ratio:.2f}× |" for name, seconds, ratio in clock.rows()]
        step_ratio = clock.phase_step_s / clock.raw_update_s
        memory = clock.memory
        lines += [
            "",
            f"- Target ≤ {target}× the raw UPDATE for advancing the challenges (the phase step, which records"
            f" every transition): **{step_ratio:.2f}× — {'met' if step_ratio <= target else 'missed'}**. The full"
            f" tick also checks every challenge's stations against the template (they exist already: the first tick"
            " after the launch created them), marks the past ones left open overdue (one challenge in ten) and"
            " refreshes every stored status, work the raw UPDATE does not do; its ratio is shown for honesty.",
            f"- Beside the least SQL that does the same work (a plain INSERT of the transitions and the raw"
            f" UPDATE, in one transaction) the phase step takes **{clock.phase_step_s / clock.floor_s:.2f}×**: the"
            " rest of the gap to the raw UPDATE is the cost of recording the transitions at all.",
            f"- SQL statements per tick: {clock.statements_per_tick} (the same at any size; pinned by"
            " tests/challenges/test_clock_scale.py).",
            f"- Runs per method: full tick {', '.join(f'{s:.2f}' for s in clock.full_tick)} s; phase step"
            f" {', '.join(f'{s:.2f}' for s in clock.phase_step)} s; raw UPDATE"
            f" {', '.join(f'{s:.2f}' for s in clock.raw_update)} s; plain INSERT + UPDATE"
            f" {', '.join(f'{s:.2f}' for s in clock.floor)} s.",
            f"- Worker memory: a process running the Celery task body `challenges.tasks.advance_clock` over the"
            f" {clock.challenges:,} challenges peaked at **{memory.get('peak_mb', '?')} MB** resident"
            f" ({memory.get('before_tick_mb', '?')} MB before the tick; the tick took {memory.get('seconds', '?')} s"
            f" and queued notifications for {memory.get('transitions', 0):,} transitions). Target ≤"
            f" {benchmarks.MEMORY_TARGET_MB} MB: **"
            f"{'met' if memory.get('peak_mb', 1e9) <= benchmarks.MEMORY_TARGET_MB else 'missed'}**.",
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
            call_command("bench_pages", stdout=out, stderr=self.stderr._out)
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
            numeric = [c for c in counts if isinstance(c, int)]
            constant = "yes" if len(numeric) == len(sizes) and len(set(numeric)) == 1 else "**no**"
            lines.append(f"| `{row.route}` | {row.viewer} | " + " | ".join(map(str, counts)) + f" | {constant} |")
        if not rows:
            lines.append("| (no pages found) | | " + " | " * len(sizes))
        return "\n".join(lines)

    def _suite_section(self, suite: dict) -> str:
        target = benchmarks.SUITE_TARGET_SECONDS
        verdict = "met" if suite["seconds"] <= target else "missed"
        return "\n".join(
            [
                "## 4. The test suite's wall time",
                "",
                "`pytest -q -p no:cacheprovider` (embedded SQLite unless DATABASE_URL is set):"
                f" **{suite['seconds']} s** against the {target // 60}-minute target — {verdict}."
                f" Result: {suite['summary'] or 'n/a'}"
                f" (exit code {suite['returncode']}).",
            ]
        )

    def _document(self, machine: dict[str, str], sections: list[str], command: str) -> str:
        lines = [
            "# Benchmarks",
            "",
            f"Written by `{command}` (`make bench`). Re-run it to reproduce; every figure below comes from one run"
            " on the machine described here. Times are wall-clock and noisy on shared machines: read them as"
            " ratios, never as assertions (the test suite asserts only query counts and memory bounds).",
            "",
            "## The machine",
            "",
            "| | |",
            "|---|---|",
        ]
        lines += [f"| {key} | {value} |" for key, value in machine.items()]
        for section in sections:
            lines += ["", section]
        return "\n".join(lines) + "\n"
