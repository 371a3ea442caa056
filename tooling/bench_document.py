"""docs/BENCHMARKS.md as numbered sections, each replaced only by a run that measured it.

``manage.py bench`` measures some sections (``--skip-*`` leaves the others out) and merges them into
the document already there: a section measured in this run replaces its previous text, a skipped
one keeps its previous text as it was. Every section carries the line saying which run wrote it,
so a kept section still says from which run and date it comes.
"""

from __future__ import annotations

import re

SECTION_TITLES = {
    "1": "The clock on PostgreSQL",
    "2": "The pages under load",
    "3": "SQL queries per page",
    "4": "The test suite's wall time",
}
_HEADING = re.compile(r"^## (\d+)\. ", re.MULTILINE)
_PROVENANCE = re.compile(r"^_(Measured in the run of|From an earlier run)\b.*_$", re.MULTILINE)


def provenance(date: str, command: str) -> str:
    """The line under a section's heading naming the run that wrote it."""
    return f"_Measured in the run of {date} (`{command}`)._"


def split_sections(document: str) -> dict[str, str]:
    """The numbered sections (``## 1. …`` to the next ``## ``) of a document, by number, text trimmed."""
    sections: dict[str, str] = {}
    matches = list(_HEADING.finditer(document))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(document)
        text = document[match.start() : end]
        # A section ends where the next top-level heading starts, numbered or not.
        following = re.search(r"^## (?!\d+\. )", text[1:], re.MULTILINE)
        if following:
            text = text[: following.start() + 1]
        sections[match.group(1)] = text.strip()
    return sections


def _document_date(document: str) -> str:
    match = re.search(r"^\| date \| (.+?) \|$", document, re.MULTILINE)
    return match.group(1) if match else "an unknown date"


def _kept(section: str, previous_date: str) -> str:
    """A section carried over unmeasured: it keeps its own provenance line, or gets one naming the
    previous document's date (a document written before sections carried theirs)."""
    if _PROVENANCE.search(section):
        return section
    heading, _, body = section.partition("\n")
    note = f"_From an earlier run (the document of {previous_date}); not measured in the latest run._"
    return f"{heading}\n\n{note}\n{body}"


def merge(previous: str | None, *, measured: dict[str, str], machine: dict[str, str], date: str, command: str) -> str:
    """The whole document: this run's sections (``measured``, by number, each starting with its
    ``## N.`` heading) with their provenance line, the previous document's other sections kept."""
    previous = previous or ""
    kept = split_sections(previous)
    previous_date = _document_date(previous)
    sections: dict[str, str] = {}
    for number in sorted({*kept, *measured}, key=int):
        if number in measured:
            heading, _, body = measured[number].strip().partition("\n")
            sections[number] = f"{heading}\n\n{provenance(date, command)}\n{body}".rstrip()
        else:
            sections[number] = _kept(kept[number], previous_date)
    lines = [
        "# Benchmarks",
        "",
        "Written by `python manage.py bench` (`make bench`): each section says which run measured it (a run"
        " with `--skip-*` options rewrites only the sections it measured and keeps the others as they were)."
        " Re-run it to reproduce. Times are wall-clock and noisy on shared machines: read them as ratios,"
        " never as assertions (the test suite asserts only query counts and memory bounds).",
        "",
        "## The machine",
        "",
        "The machine of the latest run (its date: when that run started).",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {key} | {date if key == 'date' else value} |" for key, value in machine.items()]
    for section in sections.values():
        lines += ["", section]
    return "\n".join(lines) + "\n"
