"""Challenge lists in Russian, Arabic and Uzbek, written the way spreadsheet programs write them.

Excel cannot run here, so its files are written byte for byte as Excel writes them (CRLF, its
quoting, the locale's code page, list separator and decimal mark, numbers as their cells show
them). LibreOffice's files are real: ``files/make_files.py`` wrote them with
``soffice --headless --convert-to`` from workbooks built of the same rows.
"""

import csv
import io
from decimal import Decimal
from pathlib import Path

from tests.program_admin.journey import HEADER

FILES = Path(__file__).parent / "files"

# Rows as a spreadsheet holds them: text, and numbers as numbers.
RUSSIAN = [
    HEADER,
    [
        "Сократить время ожидания в поликлинике",
        "Время ожидания — с 45 до 15 минут",
        "SSV",
        "MOI; MOJ",
        "Среднее время ожидания, мин",
        "мин",
        "",
        Decimal("1234.5"),
        "2025",
        15,
        "",
        "",
        "",
        "",
    ],
    ["Ускорить выдачу разрешений на строительство", "", "MOJ", "", "Срок выдачи", "дней", "", 30, "2025", 10]
    + [""] * 4,
]
ARABIC = [
    HEADER,
    [
        "تقليص زمن إصدار تأشيرة الإقامة",
        "إصدار التأشيرة في يومين بدلاً من عشرة",
        "وزارة الداخلية",
        "MOJ",
        "زمن الإصدار، بالأيام",
        "يوم",
        "",
        Decimal("10.5"),
        "2025",
        2,
    ]
    + [""] * 4,
    ["تسريع تسجيل الشركات الجديدة", "", "MOJ", "", "مدة التسجيل", "يوم", "", 7, "2025", 1] + [""] * 4,
]
UZBEK = [
    HEADER,
    [
        "Navbatda kutish vaqtini qisqartirish",
        "Poliklinikada navbat 45 daqiqadan 15 daqiqagacha",
        "Sog'liqni saqlash vazirligi",
        "",
        "O'rtacha kutish vaqti",
        "daqiqa",
        "",
        Decimal("1234.5"),
        "2025",
        15,
    ]
    + [""] * 4,
    ["Oʻzbekiston boʻylab gʻalla yetkazish", "", "SSV", "", "Yetkazish muddati", "kun", "", 12, "2025", 4] + [""] * 4,
]
# What Excel's "CSV" can write of Uzbek in a Latin code page: ʻ (U+02BB) is not in Windows-1252,
# so people type ‘ (U+2018), which is, or the plain apostrophe.
UZBEK_LATIN_1252 = [[cell.replace("ʻ", "‘") if isinstance(cell, str) else cell for cell in row] for row in UZBEK]


def titles(rows) -> set[str]:
    return {row[0] for row in rows[1:]}


def _shown(cell, *, decimal_comma: bool, grouping: str = "") -> str:
    """A cell as Excel writes it to CSV: as the cell shows it, in the locale's number format."""
    if isinstance(cell, str):
        return cell
    text = f"{cell:,}".replace(",", grouping) if grouping else str(cell)
    return text.replace(".", ",") if decimal_comma else text


def excel_csv(rows, *, encoding: str, delimiter: str, decimal_comma: bool, bom: bytes = b"", grouping="") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_shown(cell, decimal_comma=decimal_comma, grouping=grouping) for cell in row])
    return bom + buffer.getvalue().encode(encoding)


def google_sheets_csv(rows) -> bytes:
    """File → Download → CSV: UTF-8 without a BOM, commas, CRLF, numbers with a decimal point."""
    return excel_csv(rows, encoding="utf-8", delimiter=",", decimal_comma=False)


def workbook(rows, *, grouped: bool = False) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "challenges"
    for row in rows:
        sheet.append([float(cell) if isinstance(cell, Decimal) else cell for cell in row])
    if grouped:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
            cell.number_format = "#,##0.0"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
