"""Requests per token (or person) per minute, counted in the shared cache (Redis in production).

A fixed window: the count for this minute is created with its expiry if missing, then
incremented, atomic on Redis, so every web process counts against the same budget. On Redis both
go in one pipelined round trip (``SET NX EX`` + ``INCR``); other caches (the embedded mode's
files, the tests' memory) take ``cache.add`` then ``cache.incr``. Over it the API answers 429 with
``Retry-After`` (the seconds until the window ends). If the cache cannot be reached the request
is let through: a rate limit must never take the API down with it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

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
        count = _count(cache_key, timeout=window + 5)
    except Exception as error:  # the cache is down: let the request through, say so in the log
        log.warning("rate limit not counted, cache unreachable: %s", error)
        return Verdict(True, limit, limit, 0)
    retry_after = max(1, math.ceil((slot + 1) * window - now))
    return Verdict(count <= limit, limit, max(limit - count, 0), retry_after)


def _count(cache_key: str, *, timeout: int) -> int:
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        key = backend.make_and_validate_key(cache_key)
        # Django's RedisCache sends add and incr as three round trips (incr checks the key
        # first); its redis-py client (the cache's own connection pool) sends both in one.
        client = backend.__dict__.get("_rate_client")
        if client is None:  # built once per cache instance: a redis-py client costs ~1 ms to make
            client = backend.__dict__["_rate_client"] = backend._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        return int(pipe.execute()[-1])
    cache.add(cache_key, 0, timeout=timeout)
    return cache.incr(cache_key)
