"""Template context every page needs (registered in settings.TEMPLATES)."""

from __future__ import annotations

import operator

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
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


def _nav_facts(request: HttpRequest) -> dict[str, object]:
    """What the header needs to know about the reader, in one query, once per request."""
    if hasattr(request, "_nav_facts"):
        return request._nav_facts
    user = getattr(request, "user", None)
    facts = dict(_NO_FACTS)
    if user is not None and user.is_authenticated:
        from challenges.models import Membership, Notification
        from cohorts.models import AcceleratorRole, User

        unread = (
            Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("user")
            .annotate(n=Count("id"))
            .values("n")[:1]
        )
        grants = AcceleratorRole.objects.filter(user=OuterRef("pk"))
        row = (
            User.objects.filter(pk=user.pk)
            .annotate(
                unread=Coalesce(Subquery(unread), 0),
                can_manage=Exists(grants.filter(role=AcceleratorRole.Role.PROGRAM_ADMIN, cohort__isnull=True)),
                has_grants=Exists(grants),
                has_seats=Exists(Membership.objects.filter(user=OuterRef("pk"))),
            )
            .values("unread", "can_manage", "has_grants", "has_seats")
            .first()
        )
        facts = row or facts
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
