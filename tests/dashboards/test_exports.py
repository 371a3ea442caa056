"""CSV and XLSX exports: the board as filtered, in the reader's language, with no formula injection."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.exports import neutralise
from tests.dashboards.dashboard_data import NOW, build_cohort, official_of

pytestmark = pytest.mark.django_db

DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
TITLES = ["Shorter visa wait", "خفض وقت انتظار الإقامة", "Сократить очереди", *DANGEROUS]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cohort():
    return build_cohort(len(TITLES), titles=TITLES)


@pytest.fixture
def official_client(client, cohort):
    client.force_login(official_of(cohort.accelerator))
    return client


def read_csv(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")  # so spreadsheet programs read it as UTF-8
    return list(csv.reader(io.StringIO(content[1:])))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_it_neutralises_text_a_spreadsheet_would_evaluate(value, expected):
    assert neutralise(value) == expected


def test_the_csv_holds_every_row_with_its_stored_values(official_client, cohort):
    response = official_client.get(reverse("cohort_export_csv", args=[cohort.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filename = f"{cohort.accelerator.slug}-cohort-{cohort.number}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    header, *rows = read_csv(response)
    assert header[:3] == ["Challenge", "Lead entity", "Team lead"]
    assert len(rows) == len(TITLES)
    by_title = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    visa = by_title["Shorter visa wait"]
    assert visa["Status"] == "on track"
    assert visa["Day"] == "40"
    assert visa["Expected (%)"] == "40"
    assert visa["Last check-in"] == "2026-04-10"
    assert visa["Stale"] == "no"
    assert "خفض وقت انتظار الإقامة" in by_title
    assert "Сократить очереди" in by_title


def test_the_csv_neutralises_formulas(official_client, cohort):
    response = official_client.get(reverse("cohort_export_csv", args=[cohort.pk]))
    _header, *rows = read_csv(response)
    exported = {row[0] for row in rows}
    for title in DANGEROUS:
        assert "'" + title in exported
    for row in rows:
        assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_xlsx_neutralises_formulas_and_keeps_numbers(official_client, cohort):
    response = official_client.get(reverse("cohort_export_xlsx", args=[cohort.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read_xlsx(response)
    header = [cell.value for cell in sheet[1]]
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == len(TITLES)
    for row in rows:
        title = row[0]
        assert title.data_type == "s"  # never a formula
    # Text cells hold the title exactly as typed: no apostrophe for the reader to see (issue 15, point 2).
    # XML turns a carriage return into a line feed on the way back in.
    assert {r[0].value for r in rows} >= {t.replace("\r", "\n") for t in DANGEROUS}
    assert not any(str(r[0].value).startswith("'") for r in rows)
    progress = header.index("Progress (%)")
    assert all(isinstance(r[progress].value, int) for r in rows)


def test_the_exports_follow_the_filters_on_screen(official_client, cohort):
    query = "?status=at_risk&sort=-title"
    board = official_client.get(reverse("cohort_board", args=[cohort.pk]) + query)
    shown = [row.title for row in board.context["rows"]]
    csv_rows = read_csv(official_client.get(reverse("cohort_export_csv", args=[cohort.pk]) + query))[1:]
    xlsx = read_xlsx(official_client.get(reverse("cohort_export_xlsx", args=[cohort.pk]) + query))
    xlsx_titles = [row[0].value for row in xlsx.iter_rows(min_row=2)]
    assert len(shown) == 2
    assert [neutralise(t) for t in shown] == [row[0] for row in csv_rows]
    assert shown == xlsx_titles


def test_the_exports_speak_the_readers_language(client, cohort):
    official = official_of(cohort.accelerator)
    official.preferred_language = "ar"
    official.save()
    client.force_login(official)
    sheet = read_xlsx(client.get(reverse("cohort_export_xlsx", args=[cohort.pk])))
    assert sheet.sheet_view.rightToLeft is True
    english = read_xlsx(official_client_for(cohort, client))
    assert english.sheet_view.rightToLeft in (False, None)


def official_client_for(cohort, client):
    client.force_login(official_of(cohort.accelerator))
    return client.get(reverse("cohort_export_xlsx", args=[cohort.pk]))


def test_exports_only_answer_get(official_client, cohort):
    assert official_client.post(reverse("cohort_export_csv", args=[cohort.pk])).status_code == 405
    assert official_client.post(reverse("cohort_export_xlsx", args=[cohort.pk])).status_code == 405
