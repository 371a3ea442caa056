"""A challenge's status: the one place its thresholds live, in Python and, built from them, in SQL.

During acceleration a challenge is *achieved* once progress reaches the target, *on track* while
it is at most ``ON_TRACK_MARGIN`` below the expected progress of the day, *at risk* at most
``AT_RISK_MARGIN`` below it, else *off track*. After Day 100 it is *sustained* while progress holds
at the target, else *slipping*. Design is *not started*; withdrawn is *withdrawn* (our defaults).

``status_for`` decides one challenge; ``status_sql`` is the same ladder as a SQL expression for the
clock's set-based refresh. ``tests/challenges/test_status.py`` runs both on the same cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohorts.calendar import Phase

from .models import Status

ON_TRACK_MARGIN = 0.10
AT_RISK_MARGIN = 0.25
# Progress is a ratio of decimals computed in floating point: a value that lands a hair below a
# threshold (0.1 + 0.2 style) still counts as reaching it.
EPSILON = 1e-9


@dataclass(frozen=True)
class Rung:
    """``status`` once progress ≥ ``floor`` + ``of_expected`` × the expected progress."""

    status: Status
    floor: float
    of_expected: int


ACCELERATION_LADDER = [
    Rung(Status.ACHIEVED, 1.0, 0),
    Rung(Status.ON_TRACK, -ON_TRACK_MARGIN, 1),
    Rung(Status.AT_RISK, -AT_RISK_MARGIN, 1),
]
ACCELERATION_BELOW = Status.OFF_TRACK
AFTER_DAY_100_LADDER = [Rung(Status.SUSTAINED, 1.0, 0)]
AFTER_DAY_100_BELOW = Status.SLIPPING


def _climb(ladder: list[Rung], below: Status, progress: float, expected: float) -> Status:
    for rung in ladder:
        if progress >= rung.floor + rung.of_expected * expected - EPSILON:
            return rung.status
    return below


def status_for(*, phase: str, progress: float, expected: float, withdrawn: bool = False) -> Status:
    if withdrawn:
        return Status.WITHDRAWN
    if phase == Phase.DESIGN:
        return Status.NOT_STARTED
    if phase == Phase.ACCELERATION:
        return _climb(ACCELERATION_LADDER, ACCELERATION_BELOW, progress, expected)
    return _climb(AFTER_DAY_100_LADDER, AFTER_DAY_100_BELOW, progress, expected)


def _ladder_sql(ladder: list[Rung], below: Status, progress: str, expected: str) -> str:
    whens = " ".join(
        f"WHEN {progress} >= {rung.floor - EPSILON!r} + {rung.of_expected} * {expected} THEN '{rung.status.value}'"
        for rung in ladder
    )
    return f"(CASE {whens} ELSE '{below.value}' END)"


def status_sql(*, progress: str, expected: str, phase: str) -> str:
    """``status_for`` (withdrawn aside: the clock leaves those rows alone) over SQL expressions."""
    return f"""(CASE
        WHEN {phase} = '{Phase.DESIGN.value}' THEN '{Status.NOT_STARTED.value}'
        WHEN {phase} = '{Phase.ACCELERATION.value}' THEN
            {_ladder_sql(ACCELERATION_LADDER, ACCELERATION_BELOW, progress, expected)}
        ELSE {_ladder_sql(AFTER_DAY_100_LADDER, AFTER_DAY_100_BELOW, progress, expected)} END)"""
