"""Check-in periods and what is due: the one place their arithmetic lives; derived, never stored.

Periods (one check-in each, enforced by the ``checkin_once_per_period`` constraint) are
numbered from Day 1 without gaps across both phases that take check-ins:

- **Acceleration** (Day 1–100), cadence ``c`` days (the accelerator's ``checkin_cadence_days``):
  period ``n`` covers days ``(n-1)·c+1 … n·c`` and is due on day ``n·c``; the last period is cut
  at Day 100 and due on Day 100. With ``c = 7`` that is 15 periods, the 15th covering Days 99–100.
- **Sustainment** (Day 101–100+S): monthly, ``SUSTAINMENT_CADENCE_DAYS`` (30) days per period,
  numbered on from the last acceleration period: period ``A+k`` covers days
  ``100+(k-1)·30+1 … 100+k·30``, due on its last day, the last one cut at Day 100+S.

Design (up to Day 0) and closed (after Day 100+S) take no check-ins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from cohorts.calendar import ACCELERATION_DAYS
from cohorts.models import Cohort

# Sustainment check-ins are monthly (our default).
SUSTAINMENT_CADENCE_DAYS = 30


@dataclass(frozen=True)
class Period:
    number: int
    starts_on: date
    due_on: date
    in_sustainment: bool


def acceleration_periods(cadence: int) -> int:
    return math.ceil(ACCELERATION_DAYS / cadence)


def period_number(*, cohort: Cohort, cadence: int, day: date) -> int | None:
    """The check-in period ``day`` (a local date) falls in; None outside acceleration and sustainment."""
    n = cohort.day_number(day)
    if 1 <= n <= ACCELERATION_DAYS:
        return (n - 1) // cadence + 1
    if ACCELERATION_DAYS < n <= ACCELERATION_DAYS + cohort.sustainment_days:
        return acceleration_periods(cadence) + (n - ACCELERATION_DAYS - 1) // SUSTAINMENT_CADENCE_DAYS + 1
    return None


def period(*, cohort: Cohort, cadence: int, number: int) -> Period:
    """The days period ``number`` covers and the day its check-in is due."""
    accelerating = acceleration_periods(cadence)
    if number <= accelerating:
        first_day = (number - 1) * cadence + 1
        due_day = min(number * cadence, ACCELERATION_DAYS)
    else:
        k = number - accelerating
        first_day = ACCELERATION_DAYS + (k - 1) * SUSTAINMENT_CADENCE_DAYS + 1
        due_day = min(ACCELERATION_DAYS + k * SUSTAINMENT_CADENCE_DAYS, ACCELERATION_DAYS + cohort.sustainment_days)
    launch = cohort.launch_date
    return Period(
        number=number,
        starts_on=launch + timedelta(days=first_day),
        due_on=launch + timedelta(days=due_day),
        in_sustainment=number > accelerating,
    )


def current_period(*, cohort: Cohort, cadence: int, today: date) -> Period | None:
    number = period_number(cohort=cohort, cadence=cadence, day=today)
    return None if number is None else period(cohort=cohort, cadence=cadence, number=number)


def latest_due_period(*, cohort: Cohort, cadence: int, today: date) -> Period | None:
    """The newest period whose due day is today or already past: what a reminder is about."""
    now = current_period(cohort=cohort, cadence=cadence, today=today)
    if now is None:
        return None
    if now.due_on <= today:
        return now
    if now.number == 1:
        return None
    return period(cohort=cohort, cadence=cadence, number=now.number - 1)


class DueState:
    NONE = "none"  # design or closed: nothing to post
    DONE = "done"  # this period's check-in is in
    DUE = "due"  # this period's check-in is still to come, not late
    OVERDUE = "overdue"  # the previous period's check-in was missed


@dataclass(frozen=True)
class Due:
    state: str
    period: Period | None = None
    days_left: int = 0


def checkin_due(*, cohort: Cohort, cadence: int, today: date, latest_period: int | None) -> Due:
    """What the team owes today, given the newest period they have posted for."""
    now = current_period(cohort=cohort, cadence=cadence, today=today)
    if now is None:
        return Due(DueState.NONE)
    latest = latest_period or 0
    if latest >= now.number:
        return Due(DueState.DONE, now)
    if now.number > 1 and latest < now.number - 1:
        missed = period(cohort=cohort, cadence=cadence, number=now.number - 1)
        return Due(DueState.OVERDUE, missed, (missed.due_on - today).days)
    return Due(DueState.DUE, now, (now.due_on - today).days)
