"""A challenge's status: the one place its thresholds live, in Python and, built from them, in SQL.

During acceleration a challenge is *achieved* once its value reaches the target, *on track* while
its progress is at most ``ON_TRACK_MARGIN`` points below the expected progress of the day, *at
risk* at most ``AT_RISK_MARGIN`` points below it, else *off track*. After Day 100 it is *sustained*
while the value holds at the target, else *slipping*. Design is *not started*; withdrawn is
*withdrawn* (our defaults).

The comparisons are exact, on the goal's own decimals, never on a floating-point share: with
``gain`` the value's move from the baseline towards the target (negative when it moved away),
``span`` the distance from baseline to target, and ``day`` the day on the 100-day scale (the
expected progress is ``day`` %), a rung holds when ``100 · gain ≥ (floor + of_expected · day) · span``.
So 999,999.9999 on a 0 → 1,000,000 goal is not achieved.

``status_for`` decides one challenge; ``status_sql`` is the same ladder as a SQL expression for the
clock's set-based refresh. ``tests/challenges/test_status_rule.py`` runs both on the same cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cohorts.calendar import Phase
from core.sql import exact_decimal

from .goals import METRIC_DIGITS
from .models import Status

# Points (of 100) below the expected progress.
ON_TRACK_MARGIN = 10
AT_RISK_MARGIN = 25


@dataclass(frozen=True)
class Rung:
    """``status`` once progress (in points) ≥ ``floor`` + ``of_expected`` × the expected points."""

    status: Status
    floor: int
    of_expected: int


ACCELERATION_LADDER = [
    Rung(Status.ACHIEVED, 100, 0),
    Rung(Status.ON_TRACK, -ON_TRACK_MARGIN, 1),
    Rung(Status.AT_RISK, -AT_RISK_MARGIN, 1),
]
ACCELERATION_BELOW = Status.OFF_TRACK
AFTER_DAY_100_LADDER = [Rung(Status.SUSTAINED, 100, 0)]
AFTER_DAY_100_BELOW = Status.SLIPPING


def gain_and_span(*, value: Decimal | None, baseline: Decimal, target: Decimal) -> tuple[Decimal, Decimal]:
    """How far ``value`` moved towards the target, and how far the target is, both on the goal's decimals."""
    moved = (baseline if value is None else value) - baseline
    span = target - baseline
    return (moved if span > 0 else -moved), abs(span)


def _climb(ladder: list[Rung], below: Status, gain: Decimal, span: Decimal, day: int) -> Status:
    for rung in ladder:
        if 100 * gain >= (rung.floor + rung.of_expected * day) * span:
            return rung.status
    return below


def status_for(*, phase: str, gain: Decimal, span: Decimal, day: int, withdrawn: bool = False) -> Status:
    if withdrawn:
        return Status.WITHDRAWN
    if phase == Phase.DESIGN:
        return Status.NOT_STARTED
    if phase == Phase.ACCELERATION:
        return _climb(ACCELERATION_LADDER, ACCELERATION_BELOW, gain, span, day)
    return _climb(AFTER_DAY_100_LADDER, AFTER_DAY_100_BELOW, gain, span, day)


def _ladder_sql(ladder: list[Rung], below: Status, gain: str, span: str, day: str) -> str:
    whens = " ".join(
        f"WHEN 100 * {gain} >= ({rung.floor} + {rung.of_expected} * {day}) * {span} THEN '{rung.status.value}'"
        for rung in ladder
    )
    return f"(CASE {whens} ELSE '{below.value}' END)"


def status_sql(*, gain: str, span: str, day: str, phase: str) -> str:
    """``status_for`` (withdrawn aside: the clock leaves those rows alone) over SQL expressions."""
    return f"""(CASE
        WHEN {phase} = '{Phase.DESIGN.value}' THEN '{Status.NOT_STARTED.value}'
        WHEN {phase} = '{Phase.ACCELERATION.value}' THEN
            {_ladder_sql(ACCELERATION_LADDER, ACCELERATION_BELOW, gain, span, day)}
        ELSE {_ladder_sql(AFTER_DAY_100_LADDER, AFTER_DAY_100_BELOW, gain, span, day)} END)"""


def _exact(sql: str) -> str:
    return exact_decimal(sql, METRIC_DIGITS["decimal_places"])


def gain_sql(*, value: str, baseline: str, target: str) -> str:
    """``gain_and_span``'s gain in SQL, exact on the goal's decimals (both sides scaled alike)."""
    moved = f"({_exact(f'COALESCE({value}, {baseline})')} - {_exact(baseline)})"
    return f"(CASE WHEN {target} > {baseline} THEN {moved} ELSE -{moved} END)"


def span_sql(*, baseline: str, target: str) -> str:
    """``gain_and_span``'s span in SQL, on the same scale as ``gain_sql``."""
    return f"ABS({_exact(target)} - {_exact(baseline)})"
