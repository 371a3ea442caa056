"""``{{ text|text_dir }}``: "rtl" or "ltr" from a text's first strong letter, as ``dir="auto"`` does.

For documents whose renderer ignores ``dir="auto"`` (WeasyPrint, making the reports' PDFs): an
English narrative inside an Arabic report still reads left to right, an Arabic title inside an
English one right to left.
"""

import unicodedata

from django import template

register = template.Library()


@register.filter
def text_dir(value) -> str:
    for char in str(value or ""):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "auto"
