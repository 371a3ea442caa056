"""Template context every page needs (registered in settings.TEMPLATES)."""

from __future__ import annotations

import operator

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, new_method_proxy

from challenges.selectors import request_reader_facts


class LazyCount(SimpleLazyObject):
    """A number computed on first use, usable wherever templates need a real int.

    SimpleLazyObject proxies ``==``, ``<``, ``>``, ``bool``, ``str`` and even ``isinstance``
    (it reports the wrapped class); these add the rest of the arithmetic that gettext's
    plural rules (``n%100>=3 && n%100<=10`` for Arabic, used by ``{% blocktranslate count %}``)
    and filters such as ``add`` and ``pluralize`` apply to it.
    """

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)
    __float__ = new_method_proxy(float)
    __round__ = new_method_proxy(round)
    __abs__ = new_method_proxy(abs)
    __neg__ = new_method_proxy(operator.neg)
    __ge__ = new_method_proxy(operator.ge)
    __le__ = new_method_proxy(operator.le)
    __mod__ = new_method_proxy(operator.mod)
    __add__ = new_method_proxy(operator.add)
    __sub__ = new_method_proxy(operator.sub)
    __mul__ = new_method_proxy(operator.mul)
    __floordiv__ = new_method_proxy(operator.floordiv)
    __truediv__ = new_method_proxy(operator.truediv)
    __radd__ = new_method_proxy(lambda n, other: other + n)
    __rsub__ = new_method_proxy(lambda n, other: other - n)
    __rmul__ = new_method_proxy(lambda n, other: other * n)


def _nav_facts(request: HttpRequest) -> dict[str, object]:
    """What the header needs to know about the reader, once per request (``challenges.selectors``)."""
    return request_reader_facts(request)


def ui(request: HttpRequest) -> dict[str, object]:
    return {
        "demo_mode": bool(getattr(settings, "DEMO_MODE", False)),
        # Looked up only if the page renders the header (one query, then kept for the request).
        "nav": SimpleLazyObject(lambda: _nav_facts(request)),
        "unread_notifications": LazyCount(lambda: _nav_facts(request)["unread"]),
        # Views showing one accelerator put it here; base.html then links its colours.
        "theme_accelerator": None,
    }
