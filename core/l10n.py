"""How numbers, dates, lists and "how long ago" read in each language, and how numbers are typed.

The one place these rules live (issue 14, point 9 and 13). Django's per-language formats
(``core/formats/<lang>/formats.py``, ``FORMAT_MODULE_PATH``) are built from ``STYLES`` below, so
``{{ day|date:"DATE_FORMAT" }}``, ``SHORT_DATE_FORMAT`` and the form widgets all say the same.

- **One date style and one date-time style per language**, the short and long forms alike:
  "1 December 2026" / "1 December 2026, 23:29" (24-hour clock everywhere: no "p.m." to collide with
  a full stop). Times are shown in the accelerator's zone by the pages (``base.html``'s
  ``{% timezone %}``), never the server's.
- **Typing numbers** (``parse_number``): both "26,5" and "26.5" mean 26.5 in every language; when a
  number has both marks the last one is the decimal mark ("1,234.5", "1.234,5"); groups of
  thousands may be written with spaces (also no-break ones), a comma, a dot or an apostrophe. Only
  one case cannot say itself: a single mark followed by exactly three digits ("1,500"). There the
  language decides: where that mark groups thousands (a comma in English and Arabic) it is 1500,
  elsewhere (Russian, Uzbek, where the comma is the decimal mark) 1.5.
- **Showing numbers** (``format_number``): to their meaningful precision (``100``, never
  ``100.0000``), with the language's decimal mark and thousands grouped; in a form field
  (``format_for_input``) without grouping, so what is shown can be typed back.
- **Lists** (``join_list``): "a, b, c"; in Arabic with the Arabic comma "، ".
- **How long ago** (``days_ago``): today, yesterday, days up to two weeks, then weeks, months,
  years: never "3579 days ago".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

NBSP = "\u00a0"


@dataclass(frozen=True)
class Style:
    decimal: str  # the decimal mark shown
    group: str  # the thousands separator shown
    date: str  # Django's date format syntax
    time: str
    datetime: str
    list_separator: str


STYLES: dict[str, Style] = {
    "en": Style(".", ",", "j F Y", "H:i", "j F Y, H:i", ", "),
    "ar": Style(".", ",", "j E Y", "H:i", "j E Y، H:i", "، "),
    "uz": Style(",", NBSP, r"j-E, Y-\y\i\l", "H:i", r"j-E, Y-\y\i\l, H:i", ", "),
    "ru": Style(",", NBSP, "j E Y г.", "H:i", "j E Y г., H:i", ", "),
}
DEFAULT_LANGUAGE = "en"

# A date names its month in Django's "alt. month" form (the one a date takes: Russian "декабря").
# Listed here so that our catalogues carry them: Uzbek writes them in lower case ("1-dekabr"),
# where Django's own catalogue capitalises them.
MONTHS_IN_DATES = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]


def style(language: str | None = None) -> Style:
    code = (language or translation.get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return STYLES.get(code, STYLES[DEFAULT_LANGUAGE])


def django_formats(language: str) -> dict[str, object]:
    """The settings of Django's format module for ``language`` (``core/formats/<lang>/formats.py``)."""
    s = STYLES[language]
    return {
        "DATE_FORMAT": s.date,
        "SHORT_DATE_FORMAT": s.date,
        "DATETIME_FORMAT": s.datetime,
        "SHORT_DATETIME_FORMAT": s.datetime,
        "TIME_FORMAT": s.time,
        "DECIMAL_SEPARATOR": s.decimal,
        "THOUSAND_SEPARATOR": s.group,
        "NUMBER_GROUPING": 3,
        "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
        "DATETIME_INPUT_FORMATS": ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
        "FIRST_DAY_OF_WEEK": 1,
    }


# --- Typing numbers --------------------------------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_MINUS = "-−‒–"  # hyphen-minus, minus sign, figure dash, en dash (what phones and Word type)
_SPACE_GROUPS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2009'’]\d{3})+")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009'’]")


def _grouped(integer: str, mark: str) -> str | None:
    """``integer`` with its thousands ``mark`` removed, or None if the groups are not of three."""
    if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+", integer):
        return integer.replace(mark, "")
    return None


def _canonical(text: str, language: str | None) -> str | None:
    """The number as ``[0-9]+(.[0-9]+)?``, or None when it is not one."""
    body = text
    if _SPACES.search(body):
        head = re.match(r"[\d \u00a0\u202f\u2009'’]+", body)
        if not head or not _SPACE_GROUPS.fullmatch(head.group().strip()):
            return None
        body = _SPACES.sub("", head.group()) + body[head.end() :]
    if not re.fullmatch(r"[\d.,]+", body) or not re.search(r"\d", body):
        return None
    marks = [c for c in body if c in ".,"]
    if not marks:
        return body
    if len(set(marks)) == 2:
        decimal = body[max(body.rfind("."), body.rfind(","))]
        integer, _sep, fraction = body.rpartition(decimal)
        group = "," if decimal == "." else "."
        plain = _grouped(integer, group) if group in integer else integer
        if plain is None or not fraction.isdigit() or decimal in integer:
            return None
        return f"{plain}.{fraction}"
    mark = marks[0]
    if len(marks) > 1:
        return _grouped(body, mark)
    integer, _sep, fraction = body.partition(mark)
    thousands = style(language).group == mark
    if thousands and len(fraction) == 3 and integer and len(integer) <= 3 and integer != "0":
        return integer + fraction
    return f"{integer or '0'}.{fraction or '0'}"


def parse_number(text: str, language: str | None = None) -> Decimal:
    """What a person typed, as a Decimal; ValueError if it is not a number (see the module's rule)."""
    cleaned = str(text).strip().translate(_DIGITS).replace("٫", ".").replace("٬", ",")
    sign = ""
    if cleaned and cleaned[0] in _MINUS + "+":
        sign = "" if cleaned[0] == "+" else "-"
        cleaned = cleaned[1:].lstrip()
    canonical = _canonical(cleaned, language)
    if canonical is None:
        raise ValueError(f"not a number: {text!r}")
    try:
        return Decimal(sign + canonical)
    except InvalidOperation as error:  # pragma: no cover - the pattern above admits only digits
        raise ValueError(f"not a number: {text!r}") from error


# --- Showing numbers --------------------------------------------------------------------------------


def plain_number(value) -> str:
    """The digits of ``value`` to its meaningful precision: no exponent, no trailing zeros, a dot
    (what a CSV carries: "100", never "100.0000")."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    text = f"{number.normalize():f}" if number != 0 else "0"
    return text


def format_number(value, language: str | None = None, *, grouping: bool = True) -> str:
    """``value`` as the language writes it: "1,234.5", "1 234,5", "100" (never "100.0000")."""
    if value is None or value == "":
        return ""
    s = style(language)
    text = plain_number(value)
    sign = "−" if text.startswith("-") else ""
    integer, _sep, fraction = text.lstrip("-").partition(".")
    if grouping and len(integer) > 4:
        integer = f"{int(integer):,}".replace(",", s.group)
    elif grouping and len(integer) == 4 and s.group != NBSP:
        integer = f"{int(integer):,}".replace(",", s.group)
    return sign + integer + (s.decimal + fraction if fraction else "")


def format_for_input(value, language: str | None = None) -> str:
    """``value`` for a form field: meaningful precision, the language's decimal mark, no grouping."""
    if value is None or value == "":
        return ""
    text = plain_number(value)
    return text.replace(".", style(language).decimal)


# --- Lists and "how long ago" ---------------------------------------------------------------------


def join_list(items, language: str | None = None) -> str:
    """Items as a list reads in the language: "team lead, coach"; "قائد الفريق، المدرب"."""
    return style(language).list_separator.join(str(item) for item in items)


def days_ago(days: int | None) -> str:
    """How long ago something happened, at a precision that means something to a reader."""
    if days is None:
        return _("never")
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    if days < 14:
        return ngettext("%(count)s day ago", "%(count)s days ago", days) % {"count": days}
    if days < 61:
        weeks = days // 7
        return ngettext("%(count)s week ago", "%(count)s weeks ago", weeks) % {"count": weeks}
    if days < 730:
        months = days // 30
        return ngettext("%(count)s month ago", "%(count)s months ago", months) % {"count": months}
    years = days // 365
    return ngettext("%(count)s year ago", "%(count)s years ago", years) % {"count": years}


# --- A form field that types numbers by the rule above --------------------------------------------


class NumberInput(forms.TextInput):
    """A text box for a number (``inputmode=decimal``: the phone's keypad with both marks), showing
    its value to its meaningful precision in the reader's language."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "dir": "ltr", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)):
            return format_for_input(value)
        return super().format_value(value)


class LocalDecimalField(forms.DecimalField):
    """A DecimalField that reads what people type by ``parse_number`` in every language."""

    widget = NumberInput

    def __init__(self, **kwargs):
        kwargs.pop("localize", None)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # DecimalField adds step/min/max for <input type=number>; a text box takes none of them.
        return {}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_number(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
