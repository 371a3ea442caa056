"""Reads from a streaming replica for the pages that only read: the dashboards, and the JSON API.

``DATABASE_REPLICA_URL`` (settings) adds a ``replica`` database alias, a hot standby of the primary.
Nothing goes there by itself: a view opts in with ``@reads_from_replica`` (outside ``@access``, so
the access check is read there too), or code opts in for a block with ``replica_reads(request)``.
Then ``ReplicaRouter`` sends that block's ORM reads to the replica, and raw SQL that reads through
``reading_connection()`` follows them, all inside one read-only REPEATABLE READ transaction: the
access check, the board's digest and the rows it is drawn from come from the same snapshot.

Everything else stays on the primary: every write, every read inside a transaction on the primary,
every read outside such a block; and every read of a person whose last write the replica has not
replayed yet. A request that may have written (any method but GET, HEAD, OPTIONS) leaves the
primary's WAL position in a signed cookie (``ReadYourWritesMiddleware``); while the replica is behind
that position, that person's reads come from the primary, so nobody ever misses their own write.
The cookie goes at the first read that finds the replica caught up, and after
``DATABASE_REPLICA_PIN_SECONDS`` at most.

A replica that cannot be reached, or that fails in the middle of a read-only view, is left alone for
``REPLICA_RETRY_SECONDS``; the view runs (again) on the primary and the reader sees no error.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import InterfaceError, OperationalError

REPLICA = "replica"
WRITE_COOKIE = "accelerators_wrote"
_COOKIE_SALT = "core.replica.wrote"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")
# After a failure, how long the replica is left alone before it is tried again (per process).
REPLICA_RETRY_SECONDS = 10.0

log = logging.getLogger(__name__)

_reading: ContextVar[bool] = ContextVar("accelerators_read_from_replica", default=False)
_down_until = 0.0


class ReplicaRouter:
    """Reads inside ``replica_reads`` go to the replica; every write and every other read, to the primary."""

    def db_for_read(self, model, **hints) -> str:
        return reading_alias()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same rows, wherever they were read

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # a standby replays the primary's schema; it is never migrated


def replica_configured() -> bool:
    return REPLICA in connections.settings


def reading_alias() -> str:
    """Where a read goes now: the replica inside ``replica_reads``, unless the primary is in a
    transaction (which may hold rows of its own nobody else sees yet)."""
    if _reading.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


def reading_connection():
    """The connection raw SQL reads through, so it reads from where the ORM reads."""
    return connections[reading_alias()]


@contextmanager
def replica_reads(request=None) -> Iterator[bool]:
    """Reads in this block come from the replica, from one snapshot, when it may serve them (yields
    True); otherwise from the primary (yields False): no replica, replica down, the caller is in a
    transaction, or ``request``'s person wrote something the replica has not replayed yet."""
    if _reading.get() or not _replica_may_serve(request):
        yield _reading.get()
        return
    snapshot = transaction.atomic(using=REPLICA)
    try:
        snapshot.__enter__()
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    except (OperationalError, InterfaceError) as error:
        snapshot.__exit__(type(error), error, error.__traceback__)
        _replica_failed(error)
        yield False
        return
    token = _reading.set(True)
    try:
        yield True
    except BaseException as error:
        _reading.reset(token)
        if not snapshot.__exit__(type(error), error, error.__traceback__):
            raise
    else:
        _reading.reset(token)
        snapshot.__exit__(None, None, None)


def reads_from_replica(view: Callable) -> Callable:
    """Serve a read-only view from the replica (``replica_reads``); put it outside ``@access`` so the
    access check reads from the same snapshot. Should a read fail on the replica while the view runs
    (the replica went down, or cancelled the query to replay the primary's changes), the view runs
    again on the primary: it only reads, so running it twice changes nothing."""

    @wraps(view)
    def on_replica(request, *args, **kwargs):
        if request.method not in _SAFE_METHODS:
            return view(request, *args, **kwargs)
        try:
            with replica_reads(request):
                return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as error:
            if _reading.get():
                raise  # an enclosing block on the replica decides
            _replica_failed(error)
        return view(request, *args, **kwargs)

    return on_replica


class ReadYourWritesMiddleware:
    """After a request that may have written, remember the primary's WAL position for this person;
    drop it once a read found the replica past it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not replica_configured():
            return response
        if request.method not in _SAFE_METHODS:
            position = _primary_position()
            if position:
                response.set_signed_cookie(
                    WRITE_COOKIE,
                    position,
                    salt=_COOKIE_SALT,
                    max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        elif getattr(request, "_replica_caught_up", False):
            response.delete_cookie(WRITE_COOKIE, samesite="Lax")
        return response


def written_position(request) -> str | None:
    """The WAL position of this person's last write, while it is recent enough to matter."""
    if request is None or WRITE_COOKIE not in request.COOKIES:
        return None
    value = request.get_signed_cookie(
        WRITE_COOKIE, default=None, salt=_COOKIE_SALT, max_age=settings.DATABASE_REPLICA_PIN_SECONDS
    )
    return value if value and _LSN.fullmatch(value) else None


def _replica_may_serve(request) -> bool:
    if not replica_configured() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    if time.monotonic() < _down_until:
        return False
    replica = connections[REPLICA]
    position = written_position(request)
    try:
        replica.ensure_connection()
        if position is None:
            return True
        with replica.cursor() as cursor:
            cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [position])
            replayed = cursor.fetchone()[0]
    except (OperationalError, InterfaceError) as error:
        _replica_failed(error)
        return False
    if replayed and request is not None:
        request._replica_caught_up = True
    return replayed


def _replica_failed(error: Exception) -> None:
    """Log the failure; a replica whose connection no longer works is closed and left alone for a while."""
    global _down_until
    log.warning("a read on the database replica failed, reading from the primary: %s", error)
    replica = connections[REPLICA]
    if replica.connection is None or not replica.is_usable():
        _down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        replica.close()


def _primary_position() -> str | None:
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor != "postgresql":
        return None
    try:
        with primary.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            return cursor.fetchone()[0]
    except (OperationalError, InterfaceError) as error:
        log.warning("could not read the primary's WAL position: %s", error)
        return None
