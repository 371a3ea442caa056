"""The rules of core.l10n, in all four languages: typing numbers, showing them, dates, lists, ages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import date_format

from core import l10n

LANGUAGES = ("en", "ar", "uz", "ru")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("26,5", "26.5"),
        ("26.5", "26.5"),
        ("  42 ", "42"),
        ("-5", "-5"),
        ("−5", "-5"),  # the minus sign a phone's keyboard or Word types
        ("0,25", "0.25"),
        ("0.500", "0.5"),
        (",5", "0.5"),
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234\u00a0567", "1234567"),
        ("1,234,567", "1234567"),
        ("1.234.567", "1234567"),
        ("12,3456", "12.3456"),
        ("١٢٫٥", "12.5"),  # Arabic-Indic digits and the Arabic decimal mark
        ("1'234.5", "1234.5"),
        ("100.0000", "100"),
    ],
)
def test_it_reads_what_people_type_in_every_language(language, typed, expected):
    assert l10n.parse_number(typed, language) == Decimal(expected)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1500"), ("ar", "1500"), ("uz", "1.5"), ("ru", "1.5")],
)
def test_a_lone_mark_before_three_digits_is_the_languages_to_decide(language, expected):
    """ "1,500": thousands where the comma groups them (English, Arabic), a decimal comma elsewhere."""
    assert l10n.parse_number("1,500", language) == Decimal(expected)
    # A dot before three digits is a decimal point in every language here (nobody groups with it alone).
    assert l10n.parse_number("1.500", language) == Decimal("1.5")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "typed", ["", "abc", "1,2,3", "1.234,5.6", "12 34", "1,23,456", "1..5", "5-", "--5", "1e5", "∞"]
)
def test_it_refuses_what_is_not_a_number(language, typed):
    with pytest.raises(ValueError):
        l10n.parse_number(typed, language)


@pytest.mark.parametrize(
    ("language", "value", "shown", "in_a_field"),
    [
        ("en", Decimal("100.0000"), "100", "100"),
        ("en", Decimal("24.5000"), "24.5", "24.5"),
        ("en", Decimal("1234567.25"), "1,234,567.25", "1234567.25"),
        ("ar", Decimal("24.50"), "24.5", "24.5"),
        ("ar", Decimal("1500"), "1,500", "1500"),
        ("uz", Decimal("24.50"), "24,5", "24,5"),
        ("uz", Decimal("12500.0000"), "12\u00a0500", "12500"),
        ("ru", Decimal("1500"), "1500", "1500"),
        ("ru", Decimal("-3.1400"), "−3,14", "-3,14"),
        ("ru", Decimal("0E-4"), "0", "0"),
        ("en", 12.5, "12.5", "12.5"),
    ],
)
def test_numbers_show_to_their_meaningful_precision(language, value, shown, in_a_field):
    assert l10n.format_number(value, language) == shown
    assert l10n.format_for_input(value, language) == in_a_field
    assert l10n.parse_number(in_a_field, language) == Decimal(str(value))


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "1 December 2026", "1 December 2026, 23:29"),
        ("ar", "1 ديسمبر 2026", "1 ديسمبر 2026، 23:29"),
        ("uz", "1-dekabr, 2026-yil", "1-dekabr, 2026-yil, 23:29"),
        ("ru", "1 декабря 2026 г.", "1 декабря 2026 г., 23:29"),
    ],
)
def test_one_date_style_and_one_date_time_style_per_language(language, day, moment):
    when = datetime(2026, 12, 1, 18, 29, tzinfo=UTC)  # 23:29 in Tashkent
    with translation.override(language), timezone.override(ZoneInfo("Asia/Tashkent")):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert date_format(date(2026, 12, 1), name) == day
        for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
            assert date_format(timezone.localtime(when), name) == moment
        # Templates say the same, in the zone the page activates.
        rendered = Template('{{ d|date:"DATE_FORMAT" }}|{{ t|date:"SHORT_DATETIME_FORMAT" }}').render(
            Context({"d": date(2026, 12, 1), "t": when})
        )
    assert rendered == f"{day}|{moment}"
    assert "p.m" not in moment and "a.m" not in moment


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "team lead, coach"), ("ar", "قائد الفريق، المدرب"), ("uz", "a, b"), ("ru", "a, b")],
)
def test_lists_join_with_the_languages_comma(language, expected):
    items = (
        ["team lead", "coach"] if language == "en" else ["قائد الفريق", "المدرب"] if language == "ar" else ["a", "b"]
    )
    assert l10n.join_list(items, language) == expected


@pytest.mark.parametrize(
    ("days", "english"),
    [
        (None, "never"),
        (0, "today"),
        (1, "yesterday"),
        (2, "2 days ago"),
        (13, "13 days ago"),
        (14, "2 weeks ago"),
        (60, "8 weeks ago"),
        (61, "2 months ago"),
        (400, "13 months ago"),
        (729, "24 months ago"),
        (3579, "9 years ago"),
    ],
)
def test_how_long_ago_reads_sensibly(days, english):
    with translation.override("en"):
        assert l10n.days_ago(days) == english


@pytest.mark.parametrize(
    ("count", "arabic"),
    [
        (1, "منذ يوم واحد"),
        (2, "منذ يومين"),
        (3, "منذ 3 أيام"),
        (11, "منذ 11 يومًا"),
        (21, "منذ 3 أسابيع"),
        (400, "منذ 13 شهرًا"),
        (3579, "منذ 9 سنوات"),
    ],
)
def test_arabic_counts_take_their_plural_forms(count, arabic):
    with translation.override("ar"):
        assert l10n.days_ago(count) == (arabic if count != 1 else "أمس")


def test_the_form_field_reads_by_the_rule_and_shows_meaningful_precision():
    field = l10n.LocalDecimalField(max_digits=18, decimal_places=4)
    with translation.override("ru"):
        assert field.clean("26.5") == Decimal("26.5")
        assert field.clean("26,5") == Decimal("26.5")
        assert field.widget.format_value(Decimal("100.0000")) == "100"
        assert field.widget.format_value(Decimal("24.5000")) == "24,5"
    with translation.override("en"):
        assert field.clean("26,5") == Decimal("26.5")
        assert field.clean("1,500") == Decimal("1500")
        with pytest.raises(Exception, match="number"):
            field.clean("twelve")
        with pytest.raises(Exception, match="decimal"):
            field.clean("1.23456")


def test_a_csv_carries_plain_numbers():
    assert l10n.plain_number(Decimal("100.0000")) == "100"
    assert l10n.plain_number(Decimal("12.3400")) == "12.34"
    assert l10n.plain_number(Decimal("1E+3")) == "1000"
