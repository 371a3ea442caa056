"""`manage.py bench` rewrites only the sections it measured; a skipped section keeps its text and its run."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tooling import bench_document

REAL_DOCUMENT = Path(settings.BASE_DIR) / "docs" / "BENCHMARKS.md"


def _run_bench(output: Path, *options: str) -> str:
    call_command("bench", *options, "--output", str(output), stdout=open("/dev/null", "w"), stderr=None)  # noqa: SIM115
    return output.read_text(encoding="utf-8")


def _without_blank_and_added_lines(section: str) -> list[str]:
    return [line for line in section.splitlines() if line and not line.startswith("_From an earlier run")]


@pytest.mark.slow
@pytest.mark.django_db
def test_measuring_the_query_counts_rewrites_section_3_and_keeps_the_others_from_their_run(tmp_path):
    document = tmp_path / "BENCHMARKS.md"
    shutil.copy(REAL_DOCUMENT, document)
    before = bench_document.split_sections(REAL_DOCUMENT.read_text(encoding="utf-8"))
    assert set(before) == {"1", "2", "3", "4"}

    written = _run_bench(document, "--skip-clock", "--skip-pages", "--skip-suite", "--sizes", "1,2")
    after = bench_document.split_sections(written)

    assert set(after) == {"1", "2", "3", "4"}
    # Section 3 is this run's: its sizes, its run named under the heading, each page beside its target.
    assert "| page | viewer | 1 challenges | 2 challenges | constant |" in after["3"]
    assert "10 challenges" not in after["3"]
    assert "_Measured in the run of " in after["3"]
    assert "(`python manage.py bench --skip-clock --skip-pages --skip-suite`)" in after["3"]
    assert "| pages whose query count is the same at 1 and 2 challenges |" in after["3"]
    assert "| **met** |" in after["3"] or "| **missed** |" in after["3"]
    # The skipped sections keep every line they had, and say which run they come from.
    for number in ("1", "2", "4"):
        assert _without_blank_and_added_lines(after[number]) == _without_blank_and_added_lines(before[number])
        assert "_Measured in the run of " in after[number] or "_From an earlier run" in after[number]

    # A later run that measures nothing keeps section 3 as that run wrote it, provenance and all.
    again = bench_document.split_sections(
        _run_bench(document, "--skip-clock", "--skip-pages", "--skip-queries", "--skip-suite")
    )
    assert again == after


def test_a_measured_section_replaces_only_itself_and_keeps_the_order():
    previous = bench_document.merge(
        None,
        measured={
            "1": "## 1. The clock on PostgreSQL\n\nold clock",
            "2": "## 2. The pages under load\n\nold pages",
            "4": "## 4. The test suite's wall time\n\nold suite",
        },
        machine={"date": "2026-12-01 07:40 UTC"},
        date="2026-12-01 07:40 UTC",
        command="python manage.py bench",
    )
    merged = bench_document.merge(
        previous,
        measured={"3": "## 3. SQL queries per page\n\nnew counts", "1": "## 1. The clock on PostgreSQL\n\nnew clock"},
        machine={"date": "2026-12-02 20:00 UTC"},
        date="2026-12-02 20:00 UTC",
        command="python manage.py bench --skip-pages --skip-suite",
    )
    sections = bench_document.split_sections(merged)
    assert list(sections) == ["1", "2", "3", "4"]
    assert "new clock" in sections["1"] and "old clock" not in sections["1"]
    assert "2026-12-02 20:00 UTC (`python manage.py bench --skip-pages --skip-suite`)" in sections["1"]
    assert "new counts" in sections["3"]
    for number, text in (("2", "old pages"), ("4", "old suite")):
        assert text in sections[number]
        assert "_Measured in the run of 2026-12-01 07:40 UTC (`python manage.py bench`)._" in sections[number]
    assert "| date | 2026-12-02 20:00 UTC |" in merged


def test_a_section_from_before_sections_carried_their_run_is_dated_by_its_document():
    old = (
        "# Benchmarks\n\n## The machine\n\n| | |\n|---|---|\n| date | 2026-12-01 07:40 UTC |\n\n"
        "## 2. The pages under load\n\n| page | req/s |\n|---|---:|\n| trivial view | 933.4 |\n"
    )
    merged = bench_document.merge(old, measured={}, machine={"date": "now"}, date="now", command="bench")
    pages = bench_document.split_sections(merged)["2"]
    assert "_From an earlier run (the document of 2026-12-01 07:40 UTC); not measured in the latest run._" in pages
    assert "| trivial view | 933.4 |" in pages
