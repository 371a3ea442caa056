"""Template context every page needs (registered in settings.TEMPLATES)."""

from __future__ import annotations

import operator

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, new_method_proxy


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


_NO_FACTS = {"unread": 0, "can_manage": False, "has_grants": False, "has_seats": False}


def _nav_facts_sql() -> str:
    from challenges.models import Notification
    from members.models import AcceleratorRole, Membership

    notifications = Notification._meta.db_table
    roles = AcceleratorRole._meta.db_table
    seats = Membership._meta.db_table
    return f"""
        SELECT (SELECT COUNT(*) FROM {notifications} n WHERE n.user_id = %s AND n.read_at IS NULL),
               EXISTS (SELECT 1 FROM {roles} r WHERE r.user_id = %s AND r.role = %s AND r.cohort_id IS NULL),
               EXISTS (SELECT 1 FROM {roles} r WHERE r.user_id = %s),
               EXISTS (SELECT 1 FROM {seats} m WHERE m.user_id = %s)
    """


def _nav_facts(request: HttpRequest) -> dict[str, object]:
    """What the header needs to know about the reader, in one query, once per request.

    Every page pays for this, so it is one fixed statement rather than an ORM query: building
    the equivalent queryset (a subquery and three EXISTS) cost more than running it.
    """
    if hasattr(request, "_nav_facts"):
        return request._nav_facts
    user = getattr(request, "user", None)
    facts = dict(_NO_FACTS)
    if user is not None and user.is_authenticated:
        from members.models import AcceleratorRole

        pk = user.pk
        with connection.cursor() as cursor:
            cursor.execute(_nav_facts_sql(), [pk, pk, AcceleratorRole.Role.PROGRAM_ADMIN, pk, pk])
            unread, can_manage, has_grants, has_seats = cursor.fetchone()
        facts = {
            "unread": unread,
            "can_manage": bool(can_manage),
            "has_grants": bool(has_grants),
            "has_seats": bool(has_seats),
        }
        if user.is_superuser:
            facts["can_manage"] = facts["has_grants"] = True
    request._nav_facts = facts
    return facts


def ui(request: HttpRequest) -> dict[str, object]:
    return {
        "demo_mode": bool(getattr(settings, "DEMO_MODE", False)),
        # Looked up only if the page renders the header (one query, then kept for the request).
        "nav": SimpleLazyObject(lambda: _nav_facts(request)),
        "unread_notifications": LazyCount(lambda: _nav_facts(request)["unread"]),
        # Views showing one accelerator put it here; base.html then links its colours.
        "theme_accelerator": None,
    }
