"""Template filters for the rules of ``core.l10n``: ``{% load local %}``.

``{{ value|number }}`` (meaningful precision, the reader's marks), ``{{ items|listing }}`` (the
language's list separator) and ``{{ days|days_ago }}`` ("yesterday", "3 weeks ago").
"""

from django import template
from django.utils.html import format_html

from core import l10n

register = template.Library()


@register.filter
def number(value) -> str:
    return l10n.format_number(value)


@register.filter
def bdi(value) -> str:
    """``value`` isolated in a ``<bdi>``: a name quoted inside a translated sentence keeps its own direction."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def listing(items) -> str:
    return l10n.join_list(items)


@register.filter
def days_ago(days) -> str:
    return l10n.days_ago(days)
