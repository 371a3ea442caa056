"""The few SQL fragments that differ between PostgreSQL and SQLite, for the set-based jobs.

Everything else the jobs write is plain SQL both databases read the same way.
"""

from datetime import date, datetime

from django.db import connection


def plus_days(date_sql: str, days_sql: str) -> str:
    if connection.vendor == "postgresql":
        return f"({date_sql} + ({days_sql})::integer)"
    return f"date({date_sql}, '+' || ({days_sql}) || ' days')"


def days_between(later_sql: str, earlier_sql: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later_sql} - {earlier_sql})"
    return f"CAST(julianday({later_sql}) - julianday({earlier_sql}) AS INTEGER)"


def date_param(value: date):
    return value if connection.vendor == "postgresql" else value.isoformat()


def date_cast(placeholder: str = "%s") -> str:
    return f"CAST({placeholder} AS date)" if connection.vendor == "postgresql" else placeholder


def as_float(sql: str) -> str:
    return f"CAST({sql} AS double precision)" if connection.vendor == "postgresql" else f"CAST({sql} AS REAL)"


def clamp(sql: str, low, high) -> str:
    if connection.vendor == "postgresql":
        return f"LEAST(GREATEST({sql}, {low}), {high})"
    return f"MIN(MAX({sql}, {low}), {high})"


def exact_decimal(sql: str, places: int) -> str:
    """A decimal column as a number both databases compare exactly. PostgreSQL's numeric already is;
    SQLite keeps decimals as floating point, so there the value is scaled to a whole number of its
    smallest step (10 ** -places) and compared as an integer."""
    if connection.vendor == "postgresql":
        return sql
    return f"CAST(ROUND(({sql}) * {10**places}) AS INTEGER)"


def false() -> str:
    return "false" if connection.vendor == "postgresql" else "0"


def true() -> str:
    return "true" if connection.vendor == "postgresql" else "1"


def placeholders(values) -> str:
    """``%s, %s, …`` for an IN list (``NULL`` for an empty one, which matches nothing)."""
    return ", ".join(["%s"] * len(values)) or "NULL"


def case(column_sql: str, mapping: dict, default=None) -> str:
    """``CASE column WHEN key THEN value … END`` from a Python mapping (keys and values quoted as needed)."""

    def literal(value) -> str:
        return f"'{value}'" if isinstance(value, str) else str(value)

    whens = " ".join(f"WHEN {literal(key)} THEN {literal(value)}" for key, value in mapping.items())
    tail = f" ELSE {literal(default)}" if default is not None else ""
    return f"(CASE {column_sql} {whens}{tail} END)"


def claim_rows(*, table: str, column: str, ids: list[int], now: datetime, unless: tuple[str, ...] = ()) -> list[int]:
    """Set ``column`` on the rows where it is still empty and return their ids: whoever claims, sends.

    ``unless`` names further columns that must be empty too (a row already sent, or given up on).
    """
    if not ids:
        return []
    also = "".join(f" AND {name} IS NULL" for name in unless)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE {column} IS NULL{also}"
            f" AND id IN ({placeholders(ids)}) RETURNING id",
            [now, *ids],
        )
        return [row[0] for row in cursor.fetchall()]
