"""The cohort board as CSV and XLSX, exactly as filtered on screen.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return, which some strip first) as a formula. A CSV has no types, so there any text
cell starting like that, a challenge title typed by a team for instance, is written with a
leading apostrophe: shown as text, never evaluated. An XLSX cell has a type: text is written as
a string cell (never a formula) exactly as typed, with no apostrophe for the reader to see.
Numbers we compute are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from cohorts.models import Cohort
from core.l10n import plain_number
from dashboards.selectors import BoardRow

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would evaluate, made inert; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_headers() -> list[str]:
    return [
        _("Challenge"),
        _("Lead entity"),
        _("Team lead"),
        _("Phase"),
        _("Day"),
        _("Progress (%)"),
        _("Expected (%)"),
        _("Status"),
        _("Current value"),
        _("Baseline"),
        _("Target"),
        _("Unit"),
        _("Last check-in"),
        _("Days since check-in"),
        _("Stale"),
    ]


def export_table(rows: list[BoardRow], *, day: int) -> list[list]:
    yes, no = _("yes"), _("no")
    return [
        [
            row.title,
            row.lead_entity,
            row.team_lead,
            str(row.phase_label),
            day,
            row.progress_pct,
            row.expected_pct,
            str(row.status_label),
            row.current_value,
            row.baseline_value,
            row.target_value,
            row.unit,
            row.last_checkin_on,
            row.checkin_age,
            yes if row.is_stale else no,
        ]
        for row in rows
    ]


def export_filename(cohort: Cohort, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", cohort.accelerator.slug.lower()).strip("-") or "accelerator"
    return f"{slug}-cohort-{cohort.number}.{extension}"


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain_number(value)
    return str(value)


def to_csv(headers: list[str], table: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Arabic and Cyrillic correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in headers])
    for row in table:
        writer.writerow([_csv_cell(neutralise(value)) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], table: list[list], *, title: str, right_to_left: bool = False) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.sheet_view.rightToLeft = right_to_left
    sheet.append([_text_cell(sheet, h) for h in headers])
    for row in table:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Cohort"
    return cleaned[:31]
