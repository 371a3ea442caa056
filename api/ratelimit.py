"""Requests per token (or person) per minute, counted in the shared cache (Redis in production).

A fixed window: the count for this minute is ``cache.add`` then ``incr``, atomic on Redis, so
every web process counts against the same budget. Over it the API answers 429 with
``Retry-After`` (the seconds until the window ends). If the cache cannot be reached the request
is let through: a rate limit must never take the API down with it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def check_rate(key: str, *, now: float | None = None) -> Verdict:
    limit, window = settings.API_RATE_LIMIT, settings.API_RATE_WINDOW
    now = time.time() if now is None else now
    slot = int(now // window)
    cache_key = f"api-rate:{key}:{slot}"
    try:
        cache.add(cache_key, 0, timeout=window + 5)
        count = cache.incr(cache_key)
    except Exception as error:  # the cache is down: let the request through, say so in the log
        log.warning("rate limit not counted, cache unreachable: %s", error)
        return Verdict(True, limit, limit, 0)
    retry_after = max(1, math.ceil((slot + 1) * window - now))
    return Verdict(count <= limit, limit, max(limit - count, 0), retry_after)
