"""One-line text: titles and names go into e-mail subjects, file names and table cells.

A line break in an e-mail subject makes Django refuse the whole message (``BadHeaderError``),
and a bidi control such as U+202E (right-to-left override) makes a name read backwards in
every place it is shown, a classic way to disguise one thing as another. Arabic and Hebrew
text needs neither: the Unicode bidi algorithm lays it out by itself, and the plain marks
(U+200E, U+200F, U+061C) stay allowed. Forms refuse these characters in titles and names;
``one_line`` neutralises them wherever a value already stored goes into a header.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Line and paragraph separators (the ones str.splitlines() honours) and the bidi embeddings,
# overrides and isolates.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BREAKS = re.compile(f"[{re.escape(LINE_BREAKS)}]+")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_FORBIDDEN = re.compile(f"[{re.escape(LINE_BREAKS)}{BIDI_CONTROLS}]")


def one_line(text: str) -> str:
    """``text`` with line breaks turned into one space and bidi controls removed."""
    return _BIDI.sub("", _BREAKS.sub(" ", text)).strip()


def is_one_line(text: str) -> bool:
    return not _FORBIDDEN.search(text)


def validate_one_line(value) -> None:
    """Refuse a title or name holding a line break or a bidi control (see the module's docstring)."""
    if isinstance(value, str) and not is_one_line(value):
        raise ValidationError(
            _("Line breaks and text-direction control characters are not allowed here."), code="one_line"
        )


def require_one_line(form, *field_names: str) -> None:
    """Add ``validate_one_line`` to the named fields of a form instance (those it has)."""
    for name in field_names:
        if name in form.fields:
            form.fields[name].validators.append(validate_one_line)
