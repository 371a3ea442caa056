"""Render once per state of the data: the rule every cached page follows.

A cached page (or file) is keyed on

- a *code stamp*: a digest of the code and templates that draw it, so a deploy never serves what
  the previous release drew (``code_stamp``);
- a *digest of every row it shows*, taken in one query and folded in the database (``digest``):
  on PostgreSQL the count and the sum of the rows' ``xmin`` (the transaction that wrote each row
  version: an UPDATE writes a new version even when it changes no value, and a later transaction
  always has a greater id, so any insert, update or delete changes count or sum); on SQLite (the
  embedded mode, no such stamp) the rows' values themselves;
- everything about the request that changes the page: the language, the accelerator's local date,
  the canonical query string, and whatever about the reader the page depends on (the caller's
  ``parts``).

Nothing is shared from inside a transaction (``shareable``): the rows read there may be that
transaction's own, not yet everyone's. Only GETs whose query string is one a page writes itself
(``canonical_params``) take room in the cache; anything else is rendered and not kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Model
from django.utils import translation

from core.replica import reading_connection

# How long a rendered page may sit in the cache. Its key changes with every row it shows, so the
# time limit only gives back the memory of pages nobody opens any more.
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Rows:
    """The rows of one table a page shows: ``where`` is SQL about the alias ``t``, with ``%s`` params.

    ``ids=True`` folds the rows' ids in as well, for a set that differs from one reader to the next
    (rows written in one transaction share their stamp: two readers' sets could sum alike).

    ``exact=True`` folds in every column of every row, in order, on PostgreSQL too: for a small set
    whose rows are their own stamps (``cohorts.CohortChange``), where the set itself, not the
    rows' versions, is what tells one state of the data from another.
    """

    model: type[Model]
    where: str
    params: tuple = ()
    ids: bool = False
    exact: bool = False


def among(column: str, subquery: str) -> str:
    """``column IN (subquery)`` for a ``Rows.where``, written so that the database reads the few ids of
    ``subquery`` once, then looks each up by its index. PostgreSQL plans ``IN (a UNION of selects)``
    as a hash join over the whole table (every user, for the handful a challenge names), which grows
    with the installation; ``= ANY(ARRAY(...))`` is an init plan and an index scan. SQLite looks
    ``IN (subquery)`` up by rowid already."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(ARRAY({subquery}))"
    return f"{column} IN ({subquery})"


def _postgresql_part(rows: Rows) -> str:
    if rows.exact:
        return _exact_part(rows, "COALESCE(md5(string_agg(x.r, '|' ORDER BY x.r)), '')", "COALESCE({}::text, '')")
    table = rows.model._meta.db_table
    folded = "COUNT(*)::text || '.' || COALESCE(SUM(t.xmin::text::bigint), 0)::text"
    if rows.ids:
        pk = f"t.{rows.model._meta.pk.column}"
        folded += f" || '.' || COALESCE(md5(string_agg({pk}::text, ',' ORDER BY {pk})), '')"
    return f'(SELECT {folded} FROM "{table}" t WHERE {rows.where})'


def _sqlite_part(rows: Rows) -> str:
    return _exact_part(rows, "COALESCE(group_concat(x.r, '|'), '')", "quote({})")


def _exact_part(rows: Rows, fold: str, quoted: str) -> str:
    """Every row's values, in order, folded by ``fold`` (the database's own string aggregate)."""
    table = rows.model._meta.db_table
    columns = [f't."{f.column}"' for f in rows.model._meta.concrete_fields if f.column]
    row = " || ',' || ".join(quoted.format(column) for column in columns)
    inner = f'SELECT {row} AS r FROM "{table}" t WHERE {rows.where} ORDER BY {", ".join(columns)}'
    return f"(SELECT COUNT(*) || '.' || {fold} FROM ({inner}) x)"


def digest_sql(sources: Sequence[Rows]) -> tuple[str, list]:
    part = _postgresql_part if connection.vendor == "postgresql" else _sqlite_part
    sql = "SELECT " + " || '#' || ".join(part(rows) for rows in sources)
    params = [param for rows in sources for param in rows.params]
    return sql, params


def digest(sources: Sequence[Rows]) -> str:
    """A digest of every row of ``sources``: one query, whatever the number of rows."""
    sql, params = digest_sql(sources)
    with _server_bound_cursor(reading_connection()) as cursor:
        cursor.execute(sql, params)
        (folded,) = cursor.fetchone()
    return hashlib.sha256(folded.encode()).hexdigest()


def _server_bound_cursor(db):
    """A cursor whose statement's parameters PostgreSQL binds: the digest's text is then the same for
    every page of a kind, and psycopg prepares it on the connection once it has run a few times there
    (``DATABASE_PREPARED_STATEMENTS``, settings/base.py). Wrapped as Django wraps its own cursors, so
    it is logged, counted and routed like any query. Elsewhere, Django's cursor."""
    if db.vendor != "postgresql":
        return db.cursor()
    import psycopg

    db.ensure_connection()
    raw = psycopg.Cursor(db.connection)
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


def code_stamp(paths: Iterable[Path]) -> str:
    """A digest of the files (code, templates) that draw a page."""
    hashed = hashlib.sha256()
    for path in sorted(paths):
        hashed.update(path.read_bytes())
    return hashed.hexdigest()[:16]


def app_code_stamp(module_file: str, templates: str) -> str:
    """``code_stamp`` of an app's Python files, this module, the app's templates (``templates``, a
    folder under templates/) and the shared page frame and partials."""
    from django.conf import settings

    here, root = Path(module_file).resolve().parent, Path(settings.BASE_DIR) / "templates"
    files = [*here.glob("*.py"), Path(__file__)]
    files += [*root.glob(f"{templates}/*.html"), *root.glob("*.html"), *root.glob("partials/*.html")]
    return code_stamp(files)


_CANONICAL_NUMBER = re.compile(r"[1-9][0-9]{0,9}")


def canonical_params(query, allowed: Iterable[str], numbers: Iterable[str] = ()) -> dict[str, str] | None:
    """The query string as a page writes it (empty fields dropped), or None when it holds anything else:
    an unknown or repeated parameter, a number not written as the page writes it, text with spaces
    around it. So any reader may still ask for anything, but only what the pages link to is cached."""
    allowed, params = set(allowed), {}
    for name, values in query.lists():
        if name not in allowed or len(values) != 1:
            return None
        if values[0]:
            params[name] = values[0]
    for name in numbers:
        if name in params and not _CANONICAL_NUMBER.fullmatch(params[name]):
            return None
    if any(value != value.strip() for value in params.values()):
        return None
    return params


def shareable(request) -> bool:
    """A GET outside any transaction: what it renders may be shared with the next reader."""
    return request.method in ("GET", "HEAD") and not connection.in_atomic_block


def key(name: str, *parts: Any) -> str:
    """The cache key of ``name`` for these parts (the language is always one of them)."""
    folded = hashlib.sha256(repr([translation.get_language(), *parts]).encode()).hexdigest()
    return f"{name}:{folded}"


def cached(cache_key: str | None, make: Callable[[], Any], *, keep: Callable[[], bool] = lambda: True) -> Any:
    """The value under ``cache_key``, else ``make()`` stored there (when ``keep()`` says it may be);
    ``cache_key`` None: made, never stored."""
    if cache_key is None:
        return make()
    value = cache.get(cache_key)
    if value is None:
        value = make()
        if keep():
            cache.set(cache_key, value, CACHE_SECONDS)
    return value
