"""Sign-in throttling per client address, with a cool-down that grows (issue 15, point 8).

django-axes counts failed sign-ins per client address (``core.proxies.client_ip``), whatever
the usernames tried, so random usernames are throttled too, and nobody can lock an account's owner
out from somewhere else: the owner's own address is never the one paused. After
``AXES_FAILURE_LIMIT`` failures the address is paused for ``COOL_OFF_BASE``; each further lockout
of the same address within a day (every failure while paused counts as one) doubles the pause, up
to ``COOL_OFF_MAX``. The count lives in the shared cache, so every web process agrees.
"""

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

COOL_OFF_BASE = timedelta(minutes=1)
COOL_OFF_MAX = timedelta(hours=24)
LEVEL_SECONDS = 24 * 3600


def _level_key(address: str) -> str:
    return f"signin-lockouts:{address}"


def _pause(level: int) -> timedelta:
    return min(COOL_OFF_MAX, COOL_OFF_BASE * 2 ** max(0, min(level - 1, 20)))


def cool_off(request=None) -> timedelta:
    """``AXES_COOLOFF_TIME``: COOL_OFF_BASE doubled for each lockout of this address but the first."""
    address = getattr(request, "axes_ip_address", None) if request is not None else None
    if not address:
        return COOL_OFF_BASE
    return _pause(cache.get(_level_key(address), 0))


def record_lockout(sender, request=None, ip_address=None, **kwargs) -> None:
    """Receiver of axes' ``user_locked_out``: one more lockout for this address, and its longer pause.

    Each failure's expiry was written (``AXES_USE_ATTEMPT_EXPIRATION``) before this lockout was
    counted; the address's failures are kept until the new, longer pause ends. Expiry is per
    failure, not "older than the cool-off of whoever asks", so one address's short pause never
    clears another's long one.
    """
    if not ip_address:
        return
    from axes.models import AccessAttemptExpiration

    key = _level_key(ip_address)
    cache.add(key, 0, LEVEL_SECONDS)
    try:
        level = cache.incr(key)
    except ValueError:  # expired between add and incr
        level = 1
        cache.set(key, level, LEVEL_SECONDS)
    since = getattr(request, "axes_attempt_time", None) or timezone.now()
    AccessAttemptExpiration.objects.filter(access_attempt__ip_address=ip_address).update(
        expires_at=since + _pause(level)
    )
