"""Uploading a challenge list: checked whole, every problem reported, nothing half-imported."""

import codecs
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from challenges.models import Challenge
from members.models import Membership
from program_admin import importing
from tests.factories import ChallengeFactory
from tests.program_admin.journey import HEADER, build_journey, csv_bytes, good_rows, upload_and_confirm, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    return build_journey()


@pytest.fixture
def admin_client(client, journey):
    client.force_login(journey.admin)
    return client


def upload(client, cohort, data: bytes, name="challenges.csv"):
    """Upload, then confirm the preview as it was read: the response of the confirmation (or of
    the upload, when the file could not be read at all)."""
    return upload_and_confirm(client, cohort, data, name)


def problems_of(response) -> list[tuple]:
    return [(p.row, p.column, p.code) for p in response.context["problems"]]


def test_it_imports_a_good_csv_with_arabic_and_uzbek_text(admin_client, journey):
    response = upload(admin_client, journey.cohort, csv_bytes(good_rows()))
    assert response.status_code == 302
    assert response["Location"] == reverse("manage_cohort", args=[journey.cohort.pk])
    visa = Challenge.objects.get(cohort=journey.cohort, title="تقليص زمن إصدار تأشيرة الإقامة")
    assert visa.lead_entity == journey.entities["interior"]
    assert set(visa.partner_entities.all()) == {journey.entities["health"], journey.entities["justice"]}
    assert visa.baseline_value == Decimal("10") and visa.target_value == Decimal("2")
    assert visa.direction == "decrease"
    assert visa.unit == "يوم"
    seats = {(seat.user.email, seat.role) for seat in visa.memberships.select_related("user")}
    assert seats == {
        ("lead@example.org", Membership.Role.TEAM_LEAD),
        ("coach@example.org", Membership.Role.COACH),
        ("sponsor@example.org", Membership.Role.SPONSOR),
        ("member1@example.org", Membership.Role.MEMBER),
        ("member2@example.org", Membership.Role.MEMBER),
    }
    queue = Challenge.objects.get(cohort=journey.cohort, title="Navbatda kutish vaqtini qisqartirish")
    assert queue.baseline_value == Decimal("45.5")
    assert queue.direction == "decrease", "an empty direction follows from baseline and target"
    assert queue.history.count() == 1, "bulk-created rows still get their history record"


def test_it_imports_a_good_xlsx_with_arabic_and_uzbek_text(admin_client, journey):
    response = upload(admin_client, journey.cohort, xlsx_bytes(good_rows()), name="challenges.xlsx")
    assert response.status_code == 302
    titles = set(journey.cohort.challenges.values_list("title", flat=True))
    assert titles == {"تقليص زمن إصدار تأشيرة الإقامة", "Navbatda kutish vaqtini qisqartirish"}
    assert journey.cohort.challenges.get(title__startswith="Navbatda").target_value == Decimal("15")


def test_it_accepts_utf8_with_a_bom(admin_client, journey):
    response = upload(admin_client, journey.cohort, csv_bytes(good_rows(), bom=codecs.BOM_UTF8))
    assert response.status_code == 302
    assert journey.cohort.challenges.count() == 2


def test_it_accepts_excels_arabic_windows_1256_csv(admin_client, journey):
    rows = good_rows()
    rows[1][7] = "10"  # cp1256 has no Arabic-Indic digits; Excel writes Western digits there
    response = upload(admin_client, journey.cohort, csv_bytes(rows, encoding="cp1256"))
    assert response.status_code == 302
    assert journey.cohort.challenges.filter(title="تقليص زمن إصدار تأشيرة الإقامة").exists()


def test_it_accepts_excels_unicode_text_utf16_tab_separated(admin_client, journey):
    data = csv_bytes(good_rows(), delimiter="\t", encoding="utf-16-le", bom=codecs.BOM_UTF16_LE)
    response = upload(admin_client, journey.cohort, data, name="challenges.txt")
    assert response.status_code == 302
    assert journey.cohort.challenges.count() == 2


def test_it_accepts_translated_column_names(journey):
    with translation.override("en"):
        header = [str(column.label) for column in importing.COLUMNS]
    table = importing.read_table(csv_bytes([header, *good_rows()[1:]]))
    rows = importing.check_rows(cohort=journey.cohort, table=table)
    assert len(rows) == 2


def test_it_rejects_a_file_over_the_size_limit_with_a_clear_message(admin_client, journey):
    with override_settings(IMPORT_MAX_BYTES=100):
        response = upload(admin_client, journey.cohort, csv_bytes(good_rows()))
    assert response.status_code == 200
    assert "the largest file accepted is 100\xa0bytes" in response.content.decode()
    assert journey.cohort.challenges.count() == 0


def test_it_reports_a_missing_column(admin_client, journey):
    rows = [[cell for index, cell in enumerate(row) if index != HEADER.index("target")] for row in good_rows()]
    response = upload(admin_client, journey.cohort, csv_bytes(rows))
    assert response.status_code == 422
    assert problems_of(response) == [(None, "target", "missing_column")]
    assert "The column “target” is missing" in response.content.decode()
    assert journey.cohort.challenges.count() == 0


def bad(rows_changes: dict) -> list[list[str]]:
    rows = good_rows()
    for (row, key), value in rows_changes.items():
        rows[row][HEADER.index(key)] = value
    return rows


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({(1, "lead_entity"): "Ministry of Magic"}, [(2, "lead_entity", "unknown_entity")]),
        ({(2, "partner_entities"): "MOI; Nowhere Agency"}, [(3, "partner_entities", "unknown_entity")]),
        ({(1, "baseline"): "ten"}, [(2, "baseline", "not_a_number")]),
        ({(2, "target"): "45,5"}, [(3, "target", "target_equals_baseline")]),
        ({(2, "title"): "تقليص زمن إصدار تأشيرة الإقامة"}, [(3, "title", "duplicate_in_file")]),
        ({(1, "team_lead"): "nobody@example.org"}, [(2, "team_lead", "needs_name")]),
        ({(2, "members"): "member1@example.org; ghost@example.org"}, [(3, "members", "needs_name")]),
        ({(2, "members"): "Ghost <ghost@example>"}, [(3, "members", "invalid_email")]),
        ({(1, "team_lead"): "lead@example.org; coach@example.org"}, [(2, "team_lead", "one_team_lead")]),
        ({(1, "coach"): "Nobody Known"}, [(2, "coach", "name_not_found")]),
        ({(1, "metric"): ""}, [(2, "metric", "required")]),
        ({(1, "direction"): "increase"}, [(2, "target", "target_against_direction")]),
        ({(1, "direction"): "sideways"}, [(2, "direction", "unknown_direction")]),
    ],
    ids=[
        "unknown-lead-entity",
        "unknown-partner",
        "non-numeric-baseline",
        "target-equals-baseline",
        "duplicate-title-in-file",
        "unknown-team-lead-without-a-name",
        "unknown-member-without-a-name",
        "bad-address",
        "two-team-leads",
        "a-name-nobody-has",
        "missing-metric",
        "target-against-direction",
        "unknown-direction",
    ],
)
def test_it_reports_each_bad_cell_and_saves_nothing(admin_client, journey, changes, expected):
    response = upload(admin_client, journey.cohort, csv_bytes(bad(changes)))
    assert response.status_code == 422
    assert problems_of(response) == expected
    assert journey.cohort.challenges.count() == 0, "nothing is half-imported"
    assert Membership.objects.count() == 0


def test_it_reports_a_title_the_cohort_already_has(admin_client, journey):
    ChallengeFactory(cohort=journey.cohort, title="Navbatda kutish vaqtini qisqartirish")
    response = upload(admin_client, journey.cohort, csv_bytes(good_rows()))
    assert problems_of(response) == [(3, "title", "duplicate_in_cohort")]
    assert journey.cohort.challenges.count() == 1


def test_it_reports_every_bad_row_at_once_with_translated_messages(admin_client, journey):
    rows = bad({(1, "baseline"): "abc", (2, "lead_entity"): "Ministry of Magic", (2, "coach"): "x@example.org"})
    admin_client.cookies["django_language"] = "ru"
    response = upload(admin_client, journey.cohort, csv_bytes(rows))
    assert problems_of(response) == [
        (2, "baseline", "not_a_number"),
        (3, "lead_entity", "unknown_entity"),
        (3, "coach", "needs_name"),
    ]
    page = response.content.decode()
    assert '<td class="num">2</td>' in page and '<td class="num">3</td>' in page
    assert response.context["problems"][0].message  # rendered in the reader's language when shown


def test_it_rejects_an_unreadable_file(admin_client, journey):
    response = upload(admin_client, journey.cohort, b"PK\x03\x04 not really a workbook", name="x.xlsx")
    assert problems_of(response) == [(None, None, "unreadable")]
    response = upload(admin_client, journey.cohort, b"\xd0\xcf\x11\xe0old excel", name="x.xls")
    assert problems_of(response) == [(None, None, "old_excel")]


def test_it_rejects_a_file_with_only_a_header(admin_client, journey):
    response = upload(admin_client, journey.cohort, csv_bytes([HEADER]))
    assert problems_of(response) == [(None, None, "empty")]


def test_it_refuses_to_import_into_a_launched_cohort(admin_client, journey):
    journey.cohort.status = "launched"
    journey.cohort.launched_at = journey.cohort.created_at
    journey.cohort.save()
    response = upload(admin_client, journey.cohort, csv_bytes(good_rows()))
    assert response.status_code == 200
    assert journey.cohort.challenges.count() == 0


def test_it_offers_templates_with_column_help_in_the_readers_language(admin_client, journey):
    from openpyxl import load_workbook

    csv_response = admin_client.get(reverse("manage_import_template_csv", args=[journey.accelerator.slug]))
    assert csv_response.status_code == 200
    assert csv_response.content.startswith(codecs.BOM_UTF8 + b"title,goal_statement,lead_entity")
    xlsx_response = admin_client.get(reverse("manage_import_template_xlsx", args=[journey.accelerator.slug]))
    workbook = load_workbook(io_bytes(xlsx_response.content))
    assert workbook.sheetnames[0] == "challenges"
    help_rows = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert ("title", "Title", "yes", "The challenge in one line; unique within the cohort.") in help_rows
    page = admin_client.get(reverse("manage_import", args=[journey.cohort.pk])).content.decode()
    assert "Name or acronym of an entity of this accelerator." in page


def io_bytes(data: bytes):
    import io

    return io.BytesIO(data)


def test_it_reads_numbers_the_way_people_type_them():
    assert importing.parse_number("١٢٫٥") == Decimal("12.5")
    assert importing.parse_number("1 234,5") == Decimal("1234.5")
    assert importing.parse_number("1,234.5") == Decimal("1234.5")
    assert importing.parse_number("1,000") == Decimal("1000")
    assert importing.parse_number("−3") == Decimal("-3")
    assert importing.parse_number("NaN") is None
    assert importing.parse_number("12a") is None


# --- The goal's kind of unit and valid range ---------------------------------------------------------


def with_goal_columns(changes: dict) -> list[list[str]]:
    """The good file, each row padded to every column, with ``changes`` ((row, key) → cell) applied."""
    rows = [row + [""] * (len(HEADER) - len(row)) for row in good_rows()]
    for (row, key), value in changes.items():
        rows[row][HEADER.index(key)] = value
    return rows


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({(1, "target"): "-5"}, [(2, "target", "at_least")]),
        ({(1, "unit_kind"): "percentage", (1, "baseline"): "130"}, [(2, "baseline", "from_to")]),
        ({(1, "unit"): "%", (1, "baseline"): "130"}, [(2, "baseline", "from_to")]),
        ({(1, "unit_kind"): "furlongs"}, [(2, "unit_kind", "unknown_unit_kind")]),
        ({(1, "lower_bound"): "5", (1, "upper_bound"): "5"}, [(2, "upper_bound", "bounds_crossed")]),
        ({(1, "upper_bound"): "8"}, [(2, "baseline", "from_to")]),
    ],
    ids=[
        "negative-target",
        "percentage-over-100",
        "percent-unit-infers-kind",
        "unknown-kind",
        "crossed-bounds",
        "above-upper",
    ],
)
def test_it_refuses_a_goal_outside_its_valid_range(admin_client, journey, changes, expected):
    response = upload(admin_client, journey.cohort, csv_bytes(with_goal_columns(changes)))
    assert response.status_code == 422
    assert problems_of(response) == expected
    assert journey.cohort.challenges.count() == 0


def test_the_range_problem_says_the_range_in_the_readers_language(admin_client, journey):
    rows = with_goal_columns({(1, "unit_kind"): "percentage", (1, "baseline"): "130"})
    admin_client.cookies["django_language"] = "ru"
    response = upload(admin_client, journey.cohort, csv_bytes(rows))
    assert "«130» вне допустимого диапазона: от 0 до 100 для этой цели." in response.content.decode()


def test_it_reads_the_kind_in_any_language_and_infers_percentage_from_the_unit(admin_client, journey):
    rows = with_goal_columns({(1, "unit_kind"): "Длительность", (2, "unit"): "%", (2, "lower_bound"): "-10"})
    rows[0][HEADER.index("unit_kind")] = "نوع الوحدة"  # the column's name in Arabic
    response = upload(admin_client, journey.cohort, csv_bytes(rows))
    assert response.status_code == 302
    kinds = dict(journey.cohort.challenges.values_list("unit", "unit_kind"))
    assert kinds == {"يوم": "duration", "%": "percentage"}
    assert journey.cohort.challenges.get(unit="%").lower_bound == Decimal("-10")


def test_without_the_kind_column_a_plain_file_still_imports_as_other(admin_client, journey):
    rows = [row[: HEADER.index("unit_kind")] for row in good_rows()]
    response = upload(admin_client, journey.cohort, csv_bytes(rows))
    assert response.status_code == 302
    assert set(journey.cohort.challenges.values_list("unit_kind", flat=True)) == {"other"}
