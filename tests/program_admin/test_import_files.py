"""Files as spreadsheet programs write them: read right, previewed, confirmed, imported without mojibake."""

import codecs
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from challenges.models import Challenge
from program_admin import importing
from program_admin.models import ImportJob
from tests.program_admin import spreadsheets as sheets
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def journey():
    return build_journey()


@pytest.fixture
def admin_client(client, journey):
    client.force_login(journey.admin)
    return client


def lo(name: str) -> bytes:
    return (sheets.FILES / name).read_bytes()


# (how it was made, the file, what the preview says, its rows, the first baseline)
CASES = [
    (
        "excel-csv-russian-locale",
        lambda: sheets.excel_csv(sheets.RUSSIAN, encoding="cp1251", delimiter=";", decimal_comma=True, grouping=NBSP),
        "Read as Cyrillic (Windows-1251), columns separated by semicolons. Numbers: decimal comma",
        sheets.RUSSIAN,
    ),
    (
        "excel-csv-arabic-locale",
        lambda: sheets.excel_csv(sheets.ARABIC, encoding="cp1256", delimiter=";", decimal_comma=False),
        "Read as Arabic (Windows-1256), columns separated by semicolons. Numbers: decimal point",
        sheets.ARABIC,
    ),
    (
        "excel-csv-uzbek-latin-locale",
        lambda: sheets.excel_csv(
            sheets.UZBEK_LATIN_1252, encoding="cp1252", delimiter=";", decimal_comma=True, grouping=NBSP
        ),
        "Read as Western European (Windows-1252), columns separated by semicolons. Numbers: decimal comma",
        sheets.UZBEK_LATIN_1252,
    ),
    (
        "excel-csv-utf8-semicolons",
        lambda: sheets.excel_csv(
            sheets.RUSSIAN, encoding="utf-8", delimiter=";", decimal_comma=True, bom=codecs.BOM_UTF8, grouping=NBSP
        ),
        "Read as Unicode (UTF-8), columns separated by semicolons. Numbers: decimal comma",
        sheets.RUSSIAN,
    ),
    (
        "excel-csv-utf8-commas",
        lambda: sheets.excel_csv(
            sheets.ARABIC, encoding="utf-8", delimiter=",", decimal_comma=False, bom=codecs.BOM_UTF8
        ),
        "Read as Unicode (UTF-8), columns separated by commas. Numbers: decimal point",
        sheets.ARABIC,
    ),
    (
        "excel-unicode-text",
        lambda: sheets.excel_csv(
            sheets.UZBEK, encoding="utf-16-le", delimiter="\t", decimal_comma=True, bom=codecs.BOM_UTF16_LE
        ),
        "Read as Unicode (UTF-16), columns separated by tabs. Numbers: decimal comma",
        sheets.UZBEK,
    ),
    (
        "google-sheets-csv",
        lambda: sheets.google_sheets_csv(sheets.UZBEK),
        "Read as Unicode (UTF-8), columns separated by commas. Numbers: decimal point",
        sheets.UZBEK,
    ),
    (
        "openpyxl-xlsx",
        lambda: sheets.workbook(sheets.RUSSIAN),
        "Read as an Excel workbook, sheet “challenges”.",
        sheets.RUSSIAN,
    ),
    (
        "libreoffice-csv-russian-cp1251",
        lambda: lo("libreoffice-ru-cp1251-semicolon.csv"),
        "Read as Cyrillic (Windows-1251), columns separated by semicolons. Numbers: decimal comma",
        sheets.RUSSIAN,
    ),
    (
        "libreoffice-csv-russian-unicode",
        lambda: lo("libreoffice-ru-utf16-tab.csv"),
        "Read as Unicode (UTF-16), columns separated by tabs. Numbers: decimal comma",
        sheets.RUSSIAN,
    ),
    (
        "libreoffice-csv-arabic-utf8",
        lambda: lo("libreoffice-ar-utf8-comma.csv"),
        "Read as Unicode (UTF-8), columns separated by commas.",
        sheets.ARABIC,
    ),
    (
        "libreoffice-csv-uzbek-utf8",
        lambda: lo("libreoffice-uz-utf8-comma.csv"),
        "Read as Unicode (UTF-8), columns separated by commas. Numbers: decimal comma",
        sheets.UZBEK,
    ),
    (
        "libreoffice-xlsx",
        lambda: lo("libreoffice-ru.xlsx"),
        "Read as an Excel workbook, sheet “challenges”.",
        sheets.RUSSIAN,
    ),
]


def upload(client, cohort, data: bytes, name: str):
    response = client.post(reverse("manage_import", args=[cohort.pk]), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def confirm(client, url, reading):
    fields = {"encoding": reading.encoding, "delimiter": reading.delimiter, "decimal_mark": reading.decimal_mark}
    return client.post(url, {"action": "confirm", **fields})


@pytest.mark.parametrize(("made_by", "make", "says", "rows"), CASES, ids=[case[0] for case in CASES])
def test_it_reads_the_file_as_its_program_wrote_it(admin_client, journey, made_by, make, says, rows):
    name = "challenges.xlsx" if made_by.endswith("xlsx") else "challenges.csv"
    url = upload(admin_client, journey.cohort, make(), name)
    assert Challenge.objects.count() == 0, "nothing is saved before the admin confirms"
    preview = admin_client.get(url)
    page = preview.content.decode()
    assert says in page
    shown = preview.context["preview"]
    assert shown.rows[0][1][0] == rows[1][0], "the preview shows the title as written"
    response = confirm(admin_client, url, shown.reading)
    assert response.status_code == 302, [p.message for p in response.context["problems"]]
    assert set(journey.cohort.challenges.values_list("title", flat=True)) == sheets.titles(rows)
    first = journey.cohort.challenges.get(title=rows[1][0])
    assert first.baseline_value == Decimal(str(rows[1][7]))
    assert first.metric == rows[1][4]
    assert ImportJob.objects.get().state == ImportJob.State.SUCCEEDED


def test_it_refuses_a_number_libreoffice_lost_in_windows_1256(admin_client, journey):
    """ar_AE's decimal separator (٫) is not in Windows-1256: LibreOffice writes "10?5"."""
    url = upload(admin_client, journey.cohort, lo("libreoffice-ar-cp1256-comma.csv"), "challenges.csv")
    preview = admin_client.get(url)
    assert "Read as Arabic (Windows-1256), columns separated by commas." in preview.content.decode()
    response = confirm(admin_client, url, preview.context["preview"].reading)
    assert response.status_code == 422
    assert [(p.row, p.column, p.message) for p in response.context["problems"]] == [
        (2, "baseline", "“10?5” is not a number.")
    ]
    assert journey.cohort.challenges.count() == 0
    assert ImportJob.objects.get().state == ImportJob.State.AWAITING, "the file waits to be read another way"


RUSSIAN_EXCEL = sheets.excel_csv(sheets.RUSSIAN, encoding="cp1251", delimiter=";", decimal_comma=True)


def test_the_admin_corrects_the_encoding_and_separator_without_javascript(admin_client, journey):
    url = upload(admin_client, journey.cohort, RUSSIAN_EXCEL, "challenges.csv")
    wrong = admin_client.get(url, {"encoding": "cp1256", "delimiter": "comma", "decimal_mark": "point"})
    assert "Read as Arabic (Windows-1256), columns separated by commas." in wrong.content.decode()
    assert wrong.context["preview"].missing, "read wrongly, the required columns are not found"
    assert journey.cohort.challenges.count() == 0
    right = admin_client.get(url, {"encoding": "cp1251", "delimiter": "semicolon", "decimal_mark": "comma"})
    assert right.context["preview"].rows[0][1][0] == "Сократить время ожидания в поликлинике"
    response = confirm(admin_client, url, right.context["preview"].reading)
    assert response.status_code == 302
    assert sheets.titles(sheets.RUSSIAN) == set(journey.cohort.challenges.values_list("title", flat=True))


def test_htmx_gets_only_the_preview_with_its_confirm_form(admin_client, journey):
    url = upload(admin_client, journey.cohort, RUSSIAN_EXCEL, "challenges.csv")
    partial = admin_client.get(url, {"encoding": "koi8_r"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('\n<div id="import-preview">') or partial.lstrip().startswith('<div id="import-preview">')
    assert "Cyrillic (KOI8-R)" in partial and 'name="encoding" value="koi8_r"' in partial
    assert "<html" not in partial


def test_a_wrong_encoding_is_explained_and_cannot_be_confirmed(admin_client, journey):
    url = upload(admin_client, journey.cohort, RUSSIAN_EXCEL, "challenges.csv")
    page = admin_client.get(url, {"encoding": "utf-8", "delimiter": "semicolon", "decimal_mark": "comma"})
    assert "The file cannot be read as Unicode (UTF-8); choose another encoding." in page.content.decode()
    assert 'value="confirm"' not in page.content.decode()
    response = admin_client.post(
        url, {"action": "confirm", "encoding": "utf-8", "delimiter": "semicolon", "decimal_mark": "comma"}
    )
    assert response.status_code == 422 and journey.cohort.challenges.count() == 0


def test_confirming_twice_imports_once_and_cancel_drops_the_file(admin_client, journey):
    url = upload(admin_client, journey.cohort, RUSSIAN_EXCEL, "challenges.csv")
    reading = admin_client.get(url).context["preview"].reading
    assert confirm(admin_client, url, reading).status_code == 302
    again = confirm(admin_client, url, reading)
    assert again.status_code == 302 and again["Location"].endswith(f"/manage/imports/{ImportJob.objects.get().pk}/")
    assert journey.cohort.challenges.count() == 2
    other = sheets.excel_csv(sheets.ARABIC, encoding="cp1256", delimiter=";", decimal_comma=False)
    url = upload(admin_client, journey.cohort, other, "other.csv")
    response = admin_client.post(url, {"action": "cancel"})
    assert response.status_code == 302 and not ImportJob.objects.filter(state=ImportJob.State.AWAITING).exists()
    assert journey.cohort.challenges.count() == 2


def test_a_new_upload_replaces_the_admins_unconfirmed_one(admin_client, journey):
    upload(admin_client, journey.cohort, RUSSIAN_EXCEL, "first.csv")
    upload(admin_client, journey.cohort, RUSSIAN_EXCEL, "second.csv")
    assert list(ImportJob.objects.values_list("file_name", flat=True)) == ["second.csv"]


def test_it_refuses_bytes_that_read_as_no_language(admin_client, journey):
    response = admin_client.post(
        reverse("manage_import", args=[journey.cohort.pk]),
        {"file": SimpleUploadedFile("x.csv", bytes(range(128, 256)) * 4)},
    )
    assert response.status_code == 422
    assert [p.code for p in response.context["problems"]] == ["unknown_encoding"]
    assert not ImportJob.objects.exists()


def test_it_finds_the_separator_even_when_cells_hold_the_others():
    text = 'title;metric;baseline\r\n"A, b";"x\ty";1,5\r\nC;d;2\r\n'
    assert importing.detect_delimiter(text) == "semicolon"
    assert importing.detect_delimiter("title,metric\r\nA; b,c\r\n") == "comma"
    assert importing.detect_delimiter("title\tmetric\r\nA, b; c\td\r\n") == "tab"


@pytest.mark.parametrize(
    ("text", "mark", "number"),
    [
        ("1 234,5", "comma", "1234.5"),
        ("1\u00a0234,5", "comma", "1234.5"),
        ("1.234,5", "comma", "1234.5"),
        ("1.234,5", "point", "1234.5"),
        ("1,234.5", "comma", "1234.5"),
        ("1,500", "comma", "1.5"),
        ("1,500", "point", "1500"),
        ("1.500", "comma", "1500"),
        ("45.5", "comma", "45.5"),
        ("10٫5", "point", "10.5"),
    ],
)
def test_the_files_decimal_mark_decides_only_what_the_number_cannot(text, mark, number):
    assert importing.parse_number(text, mark) == Decimal(number)
