"""Project-level pages: the home page, the language switch, liveness and readiness checks."""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import i18n

from members.policy import PUBLIC_ACTION, PUBLIC_PAGE, SIGNED_IN_PAGE, access
from telegram_bot.selectors import telegram_account_section


@access(PUBLIC_PAGE)
def home(request):
    return render(request, "home.html")


@access(SIGNED_IN_PAGE)
def account(request):
    """The person's own account: name, e-mail, password, and their Telegram link when the bot is on."""
    return render(request, "account.html", {"telegram": telegram_account_section(request.user)})


@access(PUBLIC_PAGE)
def healthz(request):
    """Liveness for load balancers and the benchmarks' trivial baseline view."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


logger = logging.getLogger(__name__)


def _database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("readiness: the database cannot be reached", exc_info=True)
        return False


def _cache_ready() -> bool:
    # A round trip through the shared cache (Redis in production, which is also Celery's broker).
    key, token = "readyz:probe", secrets.token_hex(8)
    try:
        cache.set(key, token, timeout=10)
        return cache.get(key) == token
    except Exception:
        logger.warning("readiness: the cache cannot be reached", exc_info=True)
        return False


@access(PUBLIC_PAGE)
def readyz(request):
    """Readiness: 200 when PostgreSQL and Redis both answer, 503 (with which one failed) otherwise.

    A load balancer sends traffic only to processes that are ready; unlike liveness, a failure here
    is no reason to restart the process.
    """
    checks = {"database": _database_ready(), "cache": _cache_ready()}
    ready = all(checks.values())
    body = {"ok": ready, **{name: "ok" if passed else "unavailable" for name, passed in checks.items()}}
    return JsonResponse(body, status=200 if ready else 503)


@access(PUBLIC_ACTION)
def set_language(request):
    """Django's language switch, which also remembers the choice for a signed-in reader."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(user._meta.get_field("preferred_language").choices):
        if user.preferred_language != language:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
    return response
