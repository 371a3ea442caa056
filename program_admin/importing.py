"""Bringing in a cohort's challenge list from a CSV or XLSX file, all or nothing.

The file is read whole, every row and cell is checked against the accelerator's entities, its
people and the cohort's existing challenges, and only a file without a single problem is saved,
in one transaction. Problems are kept as codes with parameters and translated when shown, so a
job checked by a Celery worker still speaks the reader's language.

A CSV file's encoding, column separator and decimal mark are detected (Excel's "CSV" is the
locale's Windows code page, semicolon-separated with decimal commas in Russian; "CSV UTF-8" has a
BOM; "Unicode text" is UTF-16, tab-separated) and shown on a preview the admin confirms or
corrects before anything is checked or saved.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from challenges import goals
from challenges.goals import (
    MAX_ABS_VALUE,
    VALUE_QUANTUM,
    Direction,
    UnitKind,
    goal_problem,
    implied_direction,
    infer_kind,
    valid_range,
)
from challenges.models import Challenge
from cohorts.models import Cohort, Entity
from core.tasking import enqueue_on_commit
from core.text import is_one_line
from members.invitations import invitations_create_many
from members.models import Membership
from members.people import NEEDS_NAME, PeopleLookup, Resolved, Written, parse_people

from . import workbooks
from .models import DecimalMark, Delimiter, Encoding, ImportJob

# Files with more data rows than this are imported by a Celery task, with a progress bar.
ASYNC_ROW_THRESHOLD = 500
PROGRESS_EVERY = 100
SAVE_BATCH = 500


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    help: str
    required: bool = False
    max_length: int | None = None
    aliases: tuple = ()  # other accepted names: earlier keys and labels, translated like the label


COLUMNS = [
    Column("title", _("Title"), _("The challenge in one line; unique within the cohort."), True, 300),
    Column("goal_statement", _("Goal statement"), _("The 100-day goal in a sentence or two.")),
    Column("lead_entity", _("Lead entity"), _("Name or acronym of an entity of this accelerator."), True),
    Column(
        "partner_entities",
        _("Partner entities"),
        _("Names or acronyms of other entities, separated by semicolons (;)."),
    ),
    Column("metric", _("Metric"), _("What is measured, e.g. “waiting time”."), True, 200),
    Column("unit", _("Unit"), _("e.g. days, %, people."), False, 50),
    Column(
        "direction",
        _("Direction"),
        _("“increase” or “decrease”; left empty, it follows from the baseline and the target."),
    ),
    Column("baseline", _("Baseline"), _("A number: the value before the challenge starts."), True),
    Column("baseline_period", _("Baseline period"), _("When the baseline was measured, e.g. 2025."), False, 100),
    Column("target", _("Target"), _("A number, different from the baseline: the value to reach by Day 100."), True),
    Column(
        "team_lead",
        _("Team lead"),
        _(
            "One person: full name and e-mail address, e.g. “Nodira Karimova <nodira@soliq.uz>”. Someone "
            "already on the platform is found by the address; anyone else is invited when you confirm the list."
        ),
        aliases=("team_lead_email", _("Team lead e-mail")),
    ),
    Column(
        "coach",
        _("Coach"),
        _("Like the team lead; several people separated by semicolons (;)."),
        aliases=("coach_email", _("Coach e-mail")),
    ),
    Column(
        "sponsor",
        _("Sponsor"),
        _("Like the team lead; several people separated by semicolons (;)."),
        aliases=("sponsor_email", _("Sponsor e-mail")),
    ),
    Column(
        "members",
        _("Team members"),
        _("People separated by semicolons (;), each like “Nodira Karimova <nodira@soliq.uz>”."),
        aliases=("member_emails", _("Member e-mails"), _("Members")),
    ),
    Column(
        "unit_kind",
        _("Unit kind"),
        _(
            "count, duration, percentage, money, rate or other; left empty, “%” means percentage and "
            "anything else other. Sets the valid values: not below zero, 0–100 for a percentage."
        ),
    ),
    Column("lower_bound", _("Lowest valid value"), _("A number, only if the metric may go below zero.")),
    Column("upper_bound", _("Highest valid value"), _("A number, only if the metric has a ceiling of its own.")),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

MESSAGES = {
    "too_large": _("The file is %(size)s; the largest file accepted is %(limit)s."),
    "unreadable": _("The file could not be read. Upload a CSV file or an Excel workbook (.xlsx)."),
    "unknown_encoding": _(
        "The file's characters could not be recognised. "
        "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
    ),
    "wrong_encoding": _("The file cannot be read as %(encoding)s; choose another encoding."),
    "old_excel": _("This is an old Excel workbook (.xls). Save it as .xlsx or CSV and upload it again."),
    "empty": _("The file has no challenge rows under its header row."),
    "missing_column": _("The column “%(column)s” is missing from the header row."),
    "cohort_launched": _("The cohort has been launched; its challenge list can no longer be imported into."),
    "required": _("This cell is empty; it is required."),
    "too_long": _("This cell has %(length)s characters; at most %(limit)s are allowed."),
    "unknown_entity": _("There is no entity “%(value)s” in this accelerator."),
    "not_a_number": _("“%(value)s” is not a number."),
    "number_too_large": _("“%(value)s” is too large."),
    "target_equals_baseline": _("The target equals the baseline; a challenge must move the metric."),
    "unknown_unit_kind": _(
        "“%(value)s” is not a kind of unit; write count, duration, percentage, money, rate or other."
    ),
    "bounds_crossed": _("The lowest valid value must be below the highest."),
    "at_least": _("“%(value)s” is outside the valid range: at least %(low)s for this goal."),
    "at_most": _("“%(value)s” is outside the valid range: at most %(high)s for this goal."),
    "from_to": _("“%(value)s” is outside the valid range: from %(low)s to %(high)s for this goal."),
    "unknown_direction": _("“%(value)s” is not a direction; write increase or decrease."),
    "target_against_direction": _("The target does not match the direction: %(direction)s from %(baseline)s."),
    "duplicate_in_file": _("The title “%(value)s” is already used in row %(other_row)s."),
    "duplicate_in_cohort": _("The cohort already has a challenge called “%(value)s”."),
    # Kept for problems stored by jobs before people could be invited from the file.
    "unknown_person": _("There is no person with the e-mail address “%(value)s” on this accelerator."),
    "invalid_email": _("“%(value)s” is not an e-mail address."),
    "needs_name": _(
        "“%(value)s” is not on the platform yet: write the person's full name with the address to invite "
        "them, e.g. “Full Name <%(value)s>”."
    ),
    "name_not_found": _(
        "Nobody on this accelerator is called “%(value)s”: write their e-mail address (with the full name, "
        "to invite them)."
    ),
    "name_ambiguous": _("Several people are called “%(value)s”: write the e-mail address of the one you mean."),
    "bad_name": _("The name in “%(value)s” must be one line of at most 200 characters."),
    "one_team_lead": _("A challenge has one team lead; this cell names %(count)s people."),
    "one_line": _("Line breaks and text-direction control characters are not allowed here."),
    "unpacks_too_large": _(
        "The workbook unpacks to %(size)s; at most %(limit)s are read. "
        "Save only the challenge list in a new workbook, or as CSV, and upload it again."
    ),
    "compression_ratio": _(
        "The workbook unpacks to %(ratio)s times its size, more than the %(limit)s times a real "
        "spreadsheet does; it is not read."
    ),
    "declared_too_large": _(
        "The sheet declares its cells as %(dimension)s: %(rows)s rows and %(columns)s columns, more than "
        "the %(max_rows)s rows and %(max_columns)s columns read. Delete the empty rows and columns after "
        "the list (or copy it into a new workbook) and upload it again."
    ),
    "too_many_rows": _("The file has more than %(limit)s challenge rows; split it into smaller files."),
    "workbook_too_big": _(
        "The workbook needs more memory or time to read than a file may take; it is not read. "
        "Save the challenge list as CSV and upload it again."
    ),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (row as the spreadsheet numbers it, column) and what."""

    code: str
    row: int | None = None
    column: str | None = None
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params if self.params else str(MESSAGES[self.code])

    @property
    def column_label(self) -> str:
        return str(COLUMNS_BY_KEY[self.column].label) if self.column in COLUMNS_BY_KEY else ""

    def as_json(self) -> dict:
        return {"code": self.code, "row": self.row, "column": self.column, "params": self.params}

    @classmethod
    def from_json(cls, data: dict) -> Problem:
        return cls(code=data["code"], row=data.get("row"), column=data.get("column"), params=data.get("params") or {})


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Reading:
    """How a file was read: detected on upload, shown on the preview, corrected by the admin.

    A workbook has a sheet and no encoding or separator; a CSV file has all three of its own.
    """

    encoding: str = ""
    delimiter: str = ""
    decimal_mark: str = ""
    sheet: str = ""

    @property
    def is_workbook(self) -> bool:
        return not self.encoding

    @property
    def description(self) -> str:
        if self.is_workbook:
            return str(_("Read as an Excel workbook, sheet “%(sheet)s”.")) % {"sheet": self.sheet}
        return str(_("Read as %(encoding)s, %(columns)s.")) % {
            "encoding": Encoding(self.encoding).label,
            "columns": SEPARATED_BY[self.delimiter],
        }

    @property
    def numbers(self) -> str:
        return str(_("Numbers: %(decimal_mark)s.")) % {"decimal_mark": DecimalMark(self.decimal_mark).label}


SEPARATED_BY = {
    Delimiter.COMMA: _("columns separated by commas"),
    Delimiter.SEMICOLON: _("columns separated by semicolons"),
    Delimiter.TAB: _("columns separated by tabs"),
}


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)
    reading: Reading = field(default_factory=Reading)


@dataclass
class ChallengeRow:
    row: int
    title: str
    goal_statement: str
    lead_entity_id: int
    partner_ids: list[int]
    metric: str
    unit: str
    unit_kind: str
    lower_bound: Decimal | None
    upper_bound: Decimal | None
    direction: str
    baseline: Decimal
    baseline_period: str
    target: Decimal
    seats: list[tuple[int, str]]  # (user id, membership role)
    invites: list[tuple[str, str, str]] = field(default_factory=list)  # (address, full name, role)


# --- Reading the file -------------------------------------------------------------------------


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportRejected(
            [Problem("too_large", params={"size": str(filesizeformat(size)), "limit": str(filesizeformat(limit))})]
        )


def read_table(data: bytes, *, encoding: str = "", delimiter: str = "", decimal_mark: str = "") -> Table:
    """The header and the non-blank rows of an XLSX workbook's first sheet or of a CSV file.

    Whatever is not given (encoding, column separator, decimal mark) is detected; the table's
    ``reading`` says what was used, for the preview the admin confirms.
    """
    check_size(len(data))
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data)
        table.reading = Reading(decimal_mark=decimal_mark or DecimalMark.POINT, sheet=table.reading.sheet)
        return table
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRejected([Problem("old_excel")])
    encoding = encoding or detect_encoding(data)
    text = decode_text(data, encoding)
    delimiter = delimiter or detect_delimiter(text)
    table = _read_csv(text, Delimiter(delimiter).character)
    table.reading = Reading(
        encoding=encoding, delimiter=delimiter, decimal_mark=decimal_mark or detect_decimal_mark(table, delimiter)
    )
    return table


# Single-byte code pages tried when a file is not UTF-8, in order of preference when two of them
# read the file the same (Uzbek Latin text reads the same in 1252 and 1254).
SINGLE_BYTE = [Encoding.CP1251, Encoding.CP1256, Encoding.CP1252, Encoding.CP1254, Encoding.KOI8_R, Encoding.CP866]


def detect_encoding(data: bytes) -> str:
    """The encoding the file was written in: a BOM, valid UTF-8, or charset-normalizer's best
    guess among the code pages spreadsheets write here; refused when none reads as text."""
    if data.startswith(codecs.BOM_UTF8):
        return Encoding.UTF8
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Encoding.UTF16
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Encoding.UTF8
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=[str(encoding) for encoding in SINGLE_BYTE]).best()
    if best is None:
        raise ImportRejected([Problem("unknown_encoding")])
    text = str(best)
    # Text whose only non-ASCII characters are punctuation (‘ ’ « », no-break spaces) reads the same
    # in several code pages: call it Latin, not Cyrillic.
    latin = not any(ord(character) > 127 and character.isalpha() for character in text)
    order = [Encoding.CP1252, Encoding.CP1254, *SINGLE_BYTE] if latin else SINGLE_BYTE
    return next(encoding for encoding in order if data.decode(encoding, errors="replace") == text)


def decode_text(data: bytes, encoding: str) -> str:
    codec = "utf-8-sig" if encoding == Encoding.UTF8 else encoding  # utf-8-sig drops a BOM
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        raise ImportRejected([Problem("wrong_encoding", params={"encoding": str(Encoding(encoding).label)})]) from None
    if "\x00" in text:  # UTF-16 read as something else, or not text at all
        raise ImportRejected([Problem("unreadable")])
    return text


def _delimiter_score(sample: str, character: str) -> tuple[float, int]:
    """How well a separator splits the first lines: the share of rows as wide as the header, and its width."""
    try:
        records = [r for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=character), 50) if any(r)]
    except csv.Error:
        return (0.0, 0)
    if len(sample) == DELIMITER_SAMPLE and len(records) > 1:
        records = records[:-1]  # the sample may end inside the last record
    if not records or len(records[0]) < 2:
        return (0.0, 0)
    width = len(records[0])
    return (sum(len(record) == width for record in records) / len(records), width)


DELIMITER_SAMPLE = 64 * 1024


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the first lines into the most regular columns."""
    sample = text[:DELIMITER_SAMPLE]
    scores = {delimiter: _delimiter_score(sample, delimiter.character) for delimiter in Delimiter}
    best = max(Delimiter, key=lambda delimiter: scores[delimiter])
    return best if scores[best][1] else Delimiter.COMMA


_DECIMAL_COMMA = re.compile(r"-?(\d{1,3}([.\s\u00a0\u202f]\d{3})+,\d+|\d+,(\d{1,2}|\d{4,}))")
_DECIMAL_POINT = re.compile(r"-?(\d{1,3}(,\d{3})+\.\d+|\d+\.(\d{1,2}|\d{4,}))")


def detect_decimal_mark(table: Table, delimiter: str) -> str:
    """A decimal comma when the numbers say so (1 234,5 or 45,5) or, when no number decides, in
    a semicolon-separated file (Excel writes semicolons exactly where the decimal mark is a comma)."""
    cells = [cell for _number, cells in table.rows for cell in cells if cell[:1].isdigit() or cell[:1] == "-"]
    commas = any(_DECIMAL_COMMA.fullmatch(cell) for cell in cells)
    points = any(_DECIMAL_POINT.fullmatch(cell) for cell in cells)
    if commas != points:
        return DecimalMark.COMMA if commas else DecimalMark.POINT
    return DecimalMark.COMMA if delimiter == Delimiter.SEMICOLON else DecimalMark.POINT


def _read_csv(text: str, delimiter: str) -> Table:
    try:
        return _table_from(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1))
    except csv.Error:
        raise ImportRejected([Problem("unreadable")]) from None


def xlsx_limits() -> workbooks.Limits:
    return workbooks.Limits(
        max_unpacked=settings.IMPORT_XLSX_MAX_UNPACKED_BYTES,
        max_ratio=settings.IMPORT_XLSX_MAX_RATIO,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_columns=settings.IMPORT_MAX_COLUMNS,
        memory=settings.IMPORT_PARSE_MEMORY_BYTES,
        seconds=settings.IMPORT_PARSE_SECONDS,
    )


def _read_xlsx(data: bytes) -> Table:
    """The workbook's rows, read by a child process under memory and size limits (``workbooks``)."""
    outcome = workbooks.read_rows(data, xlsx_limits())
    if outcome.refusal:
        raise ImportRejected([Problem(outcome.refusal.code, params=_refusal_params(outcome.refusal))])
    table = _table_from((number, cells) for number, cells in outcome.rows)
    table.reading = Reading(sheet=outcome.sheet)
    return table


def _refusal_params(refusal: workbooks.Refusal) -> dict:
    """The refusal's numbers as the reader reads them: byte counts as “1.0 GB”, the rest as they are."""
    if refusal.code == "unpacks_too_large":
        return {key: str(filesizeformat(value)) for key, value in refusal.params.items()}
    return {key: str(value) for key, value in refusal.params.items()}


def _table_from(records: Iterable[tuple[int, list[str]]]) -> Table:
    header: list[str] | None = None
    rows = []
    for number, cells in records:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if header is None:
            header = cells
        elif len(rows) >= settings.IMPORT_MAX_ROWS:
            raise ImportRejected([Problem("too_many_rows", params={"limit": str(settings.IMPORT_MAX_ROWS)})])
        else:
            rows.append((number, cells))
    if header is None:
        raise ImportRejected([Problem("empty")])
    return Table(header=header, rows=rows)


# --- Checking the rows ------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return re.sub(r"[\s_\-*]+", " ", text).strip().casefold()


def header_aliases() -> dict[str, str]:
    """Every accepted spelling of each column: its key, and its label in every language."""
    aliases = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for column in COLUMNS:
                for name in (column.label, *column.aliases):
                    aliases[_normalise(str(name))] = column.key
    for column in COLUMNS:
        aliases[_normalise(column.key)] = column.key
    return aliases


def direction_aliases() -> dict[str, str]:
    aliases = {"+": Direction.INCREASE, "-": Direction.DECREASE, "up": Direction.INCREASE, "down": Direction.DECREASE}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in Direction.choices:
                aliases[_normalise(str(label))] = value
    for value in Direction.values:
        aliases[value] = value
    return aliases


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹−", "01234567890123456789-")
_SPACES = re.compile(r"[\s\u00a0\u202f\u066c']")


_GROUPED = {",": re.compile(r"-?\d{1,3}(,\d{3})+"), ".": re.compile(r"-?\d{1,3}(\.\d{3})+")}


def _decimal_separator(value: str, decimal_mark: str) -> str:
    """Which of "," and "." ends the whole part of ``value`` (the other one groups thousands).

    Both present: the last one. One of them: it groups when it appears more than once, or when it
    is followed by exactly three digits and the file's decimal mark is the other one ("1,500" is
    1500 in a file with decimal points, 1.5 in one with decimal commas); otherwise it is decimal.
    """
    if "," in value and "." in value:
        return "," if value.rfind(",") > value.rfind(".") else "."
    separator = "," if "," in value else "."
    other = "." if separator == "," else ","
    marked = "," if decimal_mark == DecimalMark.COMMA else "."
    if value.count(separator) > 1 or (_GROUPED[separator].fullmatch(value) and marked != separator):
        return other
    return separator


def parse_number(text: str, decimal_mark: str = "") -> Decimal | None:
    """A number as people type it: Arabic-Indic digits, decimal comma or point, grouping spaces.

    ``decimal_mark`` (the file's, ``DecimalMark``) decides only what the number itself cannot.
    """
    value = _SPACES.sub("", text.translate(_DIGITS)).replace("٫", ".")
    separator = _decimal_separator(value, decimal_mark)
    grouping = "." if separator == "," else ","
    value = value.replace(grouping, "").replace(separator, ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def unit_kind_aliases() -> dict[str, str]:
    """Each kind of unit by its key and by its name in every language."""
    aliases = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in UnitKind.choices:
                aliases[_normalise(str(label))] = value
    for value in UnitKind.values:
        aliases[value] = value
    return aliases


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;؛\n|]", text) if part.strip()]


class Lookups:
    """What the rows refer to, fetched in a few queries for the whole file."""

    def __init__(self, *, cohort: Cohort, written: list[Written]):
        self.entities: dict[str, int] = {}
        for entity_id, name, acronym in Entity.objects.filter(accelerator_id=cohort.accelerator_id).values_list(
            "id", "name", "acronym"
        ):
            self.entities[_normalise(name)] = entity_id
            if acronym:
                self.entities.setdefault(_normalise(acronym), entity_id)
        self.people = PeopleLookup(accelerator=cohort.accelerator, written=written)
        self.existing_titles = {
            _normalise(title) for title in Challenge.objects.filter(cohort=cohort).values_list("title", flat=True)
        }


def _positions(header: list[str]) -> dict[str, int]:
    """Where each known column is in the header row (its first spelling in any language wins)."""
    aliases = header_aliases()
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = aliases.get(_normalise(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [column for column in COLUMNS if column.required and column.key not in positions]
    if missing:
        raise ImportRejected(
            [Problem("missing_column", column=column.key, params={"column": column.key}) for column in missing]
        )
    return positions


PERSON_COLUMNS = [
    ("team_lead", Membership.Role.TEAM_LEAD),
    ("coach", Membership.Role.COACH),
    ("sponsor", Membership.Role.SPONSOR),
    ("members", Membership.Role.MEMBER),
]


def _people_written(values: dict[str, str]) -> list[tuple[str, Written, str]]:
    """Every person a row's team columns name: (column, as written, the seat it asks for)."""
    return [(key, written, role) for key, role in PERSON_COLUMNS for written in parse_people(values[key])]


@dataclass
class _Row:
    """One row being checked: its cells by column, and what is wrong with it so far."""

    number: int
    values: dict[str, str]
    decimal_mark: str = ""
    problems: list[Problem] = field(default_factory=list)

    def problem(self, code: str, key: str, **params) -> None:
        self.problems.append(Problem(code, row=self.number, column=key, params=params))


@dataclass
class _File:
    """What every row is checked against: the accelerator's names and people, and the rows before it."""

    lookups: Lookups
    directions: dict[str, str]
    unit_kinds: dict[str, str] = field(default_factory=dict)
    first_row_of_title: dict[str, int] = field(default_factory=dict)
    invite_names: dict[str, str] = field(default_factory=dict)


# --- One rule per column (or pair of columns) ----------------------------------------------------


def _check_cells(row: _Row, _file: _File) -> None:
    for column in COLUMNS:
        value = row.values[column.key]
        if column.required and not value:
            row.problem("required", column.key)
        elif column.max_length and len(value) > column.max_length:
            row.problem("too_long", column.key, length=len(value), limit=column.max_length)


def _check_title(row: _Row, file: _File) -> None:
    title = row.values["title"]
    if not title:
        return
    if not is_one_line(title):  # it goes into e-mail subjects (core/text.py)
        row.problem("one_line", "title")
    normalised = _normalise(title)
    if normalised in file.first_row_of_title:
        row.problem("duplicate_in_file", "title", value=title, other_row=file.first_row_of_title[normalised])
        return
    file.first_row_of_title[normalised] = row.number
    if normalised in file.lookups.existing_titles:
        row.problem("duplicate_in_cohort", "title", value=title)


def _lead_entity(row: _Row, file: _File) -> int | None:
    name = row.values["lead_entity"]
    entity_id = file.lookups.entities.get(_normalise(name)) if name else None
    if name and entity_id is None:
        row.problem("unknown_entity", "lead_entity", value=name)
    return entity_id


def _partners(row: _Row, file: _File, lead_entity_id: int | None) -> list[int]:
    partner_ids: list[int] = []
    for name in _split(row.values["partner_entities"]):
        entity_id = file.lookups.entities.get(_normalise(name))
        if entity_id is None:
            row.problem("unknown_entity", "partner_entities", value=name)
        elif entity_id != lead_entity_id and entity_id not in partner_ids:
            partner_ids.append(entity_id)
    return partner_ids


def _number(row: _Row, key: str) -> Decimal | None:
    text = row.values[key]
    if not text:
        return None
    number = parse_number(text, row.decimal_mark)
    if number is None:
        row.problem("not_a_number", key, value=text)
    elif abs(number) >= MAX_ABS_VALUE:
        row.problem("number_too_large", key, value=text)
    else:
        return number.quantize(VALUE_QUANTUM)
    return None


@dataclass(frozen=True)
class _Range:
    unit_kind: str
    lower_bound: Decimal | None
    upper_bound: Decimal | None
    fits: bool  # the bounds are in order and every goal value checked so far lies inside


def _range(row: _Row, file: _File) -> _Range:
    """The kind of unit (written, or inferred from the unit) and the bounds; the baseline and the
    target inside the valid range they make (``challenges.goals.valid_range``)."""
    written = row.values["unit_kind"]
    kind = file.unit_kinds.get(_normalise(written), "") if written else infer_kind(row.values["unit"])
    if not kind:
        row.problem("unknown_unit_kind", "unit_kind", value=written)
        kind = UnitKind.OTHER
    low, high = _number(row, "lower_bound"), _number(row, "upper_bound")
    if low is not None and high is not None and low >= high:
        row.problem("bounds_crossed", "upper_bound")
        return _Range(kind, low, high, fits=False)
    valid = valid_range(unit_kind=kind, lower_bound=low, upper_bound=high)
    fits = True
    for key in ("baseline", "target"):
        number = parse_number(row.values[key]) if row.values[key] else None
        if number is not None and number not in valid:
            fits = False
            code = "at_least" if valid.high is None else "at_most" if valid.low is None else "from_to"
            shown = {"low": _shown(valid.low), "high": _shown(valid.high)}
            row.problem(code, key, value=row.values[key], **shown)
    return _Range(kind, low, high, fits=fits)


def _shown(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _goal(row: _Row, file: _File, valid: _Range) -> tuple[str, Decimal | None, Decimal | None]:
    """The direction, baseline and target, checked by the goal's rules (``challenges.goals``)."""
    baseline, target = _number(row, "baseline"), _number(row, "target")
    written = row.values["direction"]
    direction = file.directions.get(_normalise(written), "") if written else ""
    if written and not direction:
        row.problem("unknown_direction", "direction", value=written)
    if baseline is None or target is None or not valid.fits:
        return direction, baseline, target
    problem = goal_problem(
        direction=direction,
        baseline=baseline,
        target=target,
        unit_kind=valid.unit_kind,
        lower_bound=valid.lower_bound,
        upper_bound=valid.upper_bound,
    )
    if problem == goals.SAME:
        row.problem("target_equals_baseline", "target")
    elif problem:
        row.problem(
            "target_against_direction",
            "target",
            direction=str(Direction(direction).label),
            baseline=row.values["baseline"],
        )
    return direction or implied_direction(baseline=baseline, target=target), baseline, target


def _seats(row: _Row, file: _File) -> tuple[list[tuple[int, str]], list[tuple[str, str, str]]]:
    """The seats a row's team columns ask for: people already known, and people to invite."""
    seats: list[tuple[int, str]] = []
    invites: list[tuple[str, str, str]] = []
    leads = parse_people(row.values["team_lead"])
    if len(leads) > 1:
        row.problem("one_team_lead", "team_lead", count=len(leads))
    for key, written, role in _people_written(row.values):
        resolved = file.lookups.people.resolve(written)
        if resolved.problem == NEEDS_NAME and written.email in file.invite_names:
            # Named with their full name elsewhere in the file: the address alone is enough here.
            resolved = Resolved(written, invite_email=written.email, invite_name=file.invite_names[written.email])
        if resolved.problem:
            row.problem(resolved.problem, key, value=written.email or written.text)
        elif resolved.user_id is not None:
            if (resolved.user_id, role) not in seats:
                seats.append((resolved.user_id, role))
        else:
            name = file.invite_names[resolved.invite_email]
            if not any(email == resolved.invite_email and r == role for email, _n, r in invites):
                invites.append((resolved.invite_email, name, role))
    return seats, invites


def _check_row(row: _Row, file: _File) -> ChallengeRow | None:
    _check_cells(row, file)
    _check_title(row, file)
    lead_entity_id = _lead_entity(row, file)
    partner_ids = _partners(row, file, lead_entity_id)
    valid = _range(row, file)
    direction, baseline, target = _goal(row, file, valid)
    seats, invites = _seats(row, file)
    if row.problems:
        return None
    values = row.values
    return ChallengeRow(
        row=row.number,
        title=values["title"],
        goal_statement=values["goal_statement"],
        lead_entity_id=lead_entity_id,
        partner_ids=partner_ids,
        metric=values["metric"],
        unit=values["unit"],
        unit_kind=valid.unit_kind,
        lower_bound=valid.lower_bound,
        upper_bound=valid.upper_bound,
        direction=direction,
        baseline=baseline,
        baseline_period=values["baseline_period"],
        target=target,
        seats=seats,
        invites=invites,
    )


def check_rows(
    *,
    cohort: Cohort,
    table: Table,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> list[ChallengeRow]:
    """Every row checked; raises ``ImportRejected`` with every problem found, or returns the rows."""
    if cohort.status != Cohort.Status.DRAFT:
        raise ImportRejected([Problem("cohort_launched")])
    positions = _positions(table.header)
    if not table.rows:
        raise ImportRejected([Problem("empty")])

    def values_of(cells: list[str]) -> dict[str, str]:
        at = {key: index for key, index in positions.items() if index < len(cells)}
        return {column.key: cells[at[column.key]] if column.key in at else "" for column in COLUMNS}

    rows = [_Row(number, values_of(cells), table.reading.decimal_mark) for number, cells in table.rows]
    written = [person for row in rows for _key, person, _role in _people_written(row.values)]
    file = _File(
        lookups=Lookups(cohort=cohort, written=written),
        directions=direction_aliases(),
        unit_kinds=unit_kind_aliases(),
    )
    for person in written:  # the first full name written with an address is the one its invitation takes
        if person.email and person.name:
            file.invite_names.setdefault(person.email, person.name)
    problems: list[Problem] = []
    checked: list[ChallengeRow] = []
    for done, row in enumerate(rows, start=1):
        result = _check_row(row, file)
        problems.extend(row.problems)
        if result is not None:
            checked.append(result)
        if on_progress and (done % progress_every == 0 or done == len(rows)):
            on_progress(done)
    if problems:
        raise ImportRejected(problems)
    return checked


# --- Saving -----------------------------------------------------------------------------------


@transaction.atomic
def save_rows(*, cohort: Cohort, rows: list[ChallengeRow], by) -> list[Challenge]:
    """Create the checked rows' challenges, partner links and team seats in a few bulk statements."""
    from simple_history.utils import bulk_create_with_history

    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if locked.status != Cohort.Status.DRAFT:
        raise ImportRejected([Problem("cohort_launched")])
    challenges = [
        Challenge(
            cohort=cohort,
            title=row.title,
            goal_statement=row.goal_statement,
            lead_entity_id=row.lead_entity_id,
            metric=row.metric,
            unit=row.unit,
            unit_kind=row.unit_kind,
            lower_bound=row.lower_bound,
            upper_bound=row.upper_bound,
            direction=row.direction,
            baseline_value=row.baseline,
            baseline_period=row.baseline_period,
            target_value=row.target,
        )
        for row in rows
    ]
    created = bulk_create_with_history(challenges, Challenge, batch_size=SAVE_BATCH, default_user=by)
    if any(challenge.pk is None for challenge in created):
        ids = dict(Challenge.objects.filter(cohort=cohort).values_list("title", "id"))
        for challenge in created:
            challenge.pk = ids[challenge.title]
    Partner = Challenge.partner_entities.through
    Partner.objects.bulk_create(
        [
            Partner(challenge_id=challenge.pk, entity_id=entity_id)
            for challenge, row in zip(created, rows, strict=True)
            for entity_id in row.partner_ids
        ],
        batch_size=SAVE_BATCH,
    )
    # People not yet on the platform are invited in this same transaction: a rejected or failed
    # import invites nobody. Their invitations go out when the cohort is launched.
    invited = invitations_create_many(
        accelerator=cohort.accelerator,
        people={email: name for row in rows for email, name, _role in row.invites},
        by=by,
    )
    seats = []
    for challenge, row in zip(created, rows, strict=True):
        wanted = list(row.seats) + [(invited[email], role) for email, _name, role in row.invites]
        seats += [
            Membership(challenge_id=challenge.pk, user_id=user_id, role=role) for user_id, role in dict.fromkeys(wanted)
        ]
    bulk_create_with_history(seats, Membership, batch_size=SAVE_BATCH, default_user=by)
    return created


# --- The preview: the file waits in its ImportJob row until the admin confirms how it reads ---------

PREVIEW_ROWS = 5


@dataclass
class Preview:
    """The first rows as they read with ``reading``, which column each header cell was taken for,
    and the required columns not found; or, when the file cannot be read that way, why."""

    reading: Reading
    header: list[str] = field(default_factory=list)
    recognised: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    total_rows: int = 0
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def preview(*, data: bytes, reading: Reading) -> Preview:
    try:
        table = read_table(
            data, encoding=reading.encoding, delimiter=reading.delimiter, decimal_mark=reading.decimal_mark
        )
    except ImportRejected as rejected:
        return Preview(reading=reading, problems=rejected.problems)
    aliases = header_aliases()
    keys = [aliases.get(_normalise(cell), "") for cell in table.header]
    width = len(table.header)
    return Preview(
        reading=table.reading,
        header=table.header,
        recognised=[str(COLUMNS_BY_KEY[key].label) if key else "" for key in keys],
        rows=[(number, cells + [""] * (width - len(cells))) for number, cells in table.rows[:PREVIEW_ROWS]],
        total_rows=len(table.rows),
        missing=[str(column.label) for column in COLUMNS if column.required and column.key not in keys],
    )


def import_upload(*, cohort: Cohort, file_name: str, data: bytes, by) -> ImportJob:
    """Keep an uploaded file, with how it was detected to read, until the admin confirms it.

    Raises ``ImportRejected`` when it cannot be read at all. The same admin's earlier unconfirmed
    uploads for the cohort are dropped: only the latest one can still be confirmed.
    """
    if cohort.status != Cohort.Status.DRAFT:
        raise ImportRejected([Problem("cohort_launched")])
    table = read_table(data)
    reading = table.reading
    with transaction.atomic():
        ImportJob.objects.filter(cohort=cohort, created_by=by, state=ImportJob.State.AWAITING).delete()
        return ImportJob.objects.create(
            cohort=cohort,
            created_by=by,
            file_name=file_name[:255],
            payload=data,
            state=ImportJob.State.AWAITING,
            encoding=reading.encoding,
            delimiter=reading.delimiter,
            decimal_mark=reading.decimal_mark,
            total_rows=len(table.rows),
        )


def job_reading(job: ImportJob) -> Reading:
    return Reading(encoding=job.encoding, delimiter=job.delimiter, decimal_mark=job.decimal_mark)


def import_job_confirm(*, job: ImportJob, reading: Reading, by) -> ImportJob | None:
    """Import a kept file read as the admin confirmed: checked and saved now, or queued for a
    worker when it is large. Returns the job as it ends up, or None when it was no longer waiting
    (confirmed twice). Raises ``ImportRejected`` with every problem; the file then waits again.

    Claimed with a conditional UPDATE, so a double-clicked "Import" imports once.
    """
    jobs = ImportJob.objects.filter(pk=job.pk)
    settings_ = {"encoding": reading.encoding, "delimiter": reading.delimiter, "decimal_mark": reading.decimal_mark}
    if not jobs.filter(state=ImportJob.State.AWAITING).update(state=ImportJob.State.VALIDATING, **settings_):
        return None
    try:
        table = read_table(bytes(job.payload), **settings_)
        if len(table.rows) > ASYNC_ROW_THRESHOLD:
            jobs.update(state=ImportJob.State.QUEUED, total_rows=len(table.rows), processed_rows=0)
            enqueue_on_commit("program_admin.tasks.run_import", job.pk)
        else:
            rows = check_rows(cohort=job.cohort, table=table)
            created = save_rows(cohort=job.cohort, rows=rows, by=by)
            jobs.update(
                state=ImportJob.State.SUCCEEDED,
                finished_at=timezone.now(),
                payload=b"",
                total_rows=len(table.rows),
                processed_rows=len(table.rows),
                created_count=len(created),
            )
    except ImportRejected:
        jobs.update(state=ImportJob.State.AWAITING)
        raise
    except IntegrityError:
        jobs.update(state=ImportJob.State.AWAITING)
        raise ImportRejected([Problem("conflict")]) from None
    return jobs.get()


def import_job_cancel(*, job: ImportJob) -> bool:
    """Drop a file still waiting for confirmation; nothing of it was saved."""
    deleted, _by_model = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.AWAITING).delete()
    return bool(deleted)


# --- The template -----------------------------------------------------------------------------


TEMPLATE_EXAMPLE = {
    "title": "Shorter wait for a grid connection (example)",
    "goal_statement": "Connect new homes to the grid in 10 days instead of 30.",
    "lead_entity": "Ministry of Energy",
    "metric": "Days to connect a new home",
    "unit": "days",
    "direction": "decrease",
    "baseline": "30",
    "baseline_period": "2025",
    "target": "10",
    # The team columns: a person is a full name and an address; several are separated by semicolons.
    "team_lead": "Nodira Karimova <nodira@example.org>",
    "coach": "Aziz Rahimov <aziz@example.org>",
    "sponsor": "Fatima Al Mansouri <fatima@example.org>",
    "members": "Bekzod Tursunov <bekzod@example.org>; Mariam Al Hashimi <mariam@example.org>",
    "unit_kind": "duration",
}


def template_rows() -> list[list[str]]:
    return [[column.key for column in COLUMNS], [TEMPLATE_EXAMPLE.get(column.key, "") for column in COLUMNS]]


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(template_rows())
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The template workbook: the challenge sheet, and a help sheet in the reader's language."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "challenges"
    for row in template_rows():
        sheet.append(row)
    help_sheet = workbook.create_sheet(str(_("Help")))
    help_sheet.append([str(_("Column")), str(_("Name")), str(_("Required")), str(_("What to write"))])
    for column in COLUMNS:
        help_sheet.append(
            [column.key, str(column.label), str(_("yes")) if column.required else str(_("no")), str(column.help)]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Large files: a job for a Celery worker ---------------------------------------------------

MESSAGES["conflict"] = _("The cohort changed while the file was being imported; nothing was saved. Upload it again.")


@transaction.atomic
def import_job_create(*, cohort: Cohort, file_name: str, data: bytes, total_rows: int, by) -> ImportJob:
    """Keep the file and queue its import for after the commit; the job page shows its progress."""
    job = ImportJob.objects.create(
        cohort=cohort, created_by=by, file_name=file_name[:255], payload=data, total_rows=total_rows
    )
    enqueue_on_commit("program_admin.tasks.run_import", job.pk)
    return job


def import_job_run(*, job_id: int, progress_every: int = PROGRESS_EVERY) -> ImportJob | None:
    """Check every row (recording progress as it goes), then save all of them or none.

    The job is claimed with a conditional UPDATE, so a task delivered twice runs once.
    """
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(state=ImportJob.State.VALIDATING)
    if not claimed:
        return None
    job = ImportJob.objects.select_related("cohort__accelerator", "created_by").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)

    def finish(state: str, **fields) -> None:
        jobs.update(state=state, finished_at=timezone.now(), payload=b"", **fields)

    try:
        table = read_table(
            bytes(job.payload), encoding=job.encoding, delimiter=job.delimiter, decimal_mark=job.decimal_mark
        )
        jobs.update(total_rows=len(table.rows), processed_rows=0)
        rows = check_rows(
            cohort=job.cohort,
            table=table,
            on_progress=lambda done: jobs.update(processed_rows=done),
            progress_every=progress_every,
        )
        jobs.update(state=ImportJob.State.SAVING)
        created = save_rows(cohort=job.cohort, rows=rows, by=job.created_by)
    except ImportRejected as rejected:
        finish(ImportJob.State.FAILED, problems=[problem.as_json() for problem in rejected.problems])
    except IntegrityError:
        finish(ImportJob.State.FAILED, problems=[Problem("conflict").as_json()])
    else:
        finish(ImportJob.State.SUCCEEDED, created_count=len(created))
    job.refresh_from_db()
    return job
