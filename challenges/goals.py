"""A challenge's goal: the one place its rules live.

A goal moves a metric from a baseline to a target within 100 days: the target differs from the
baseline and lies in the goal's direction (an *increase* goal's target is above its baseline, a
*decrease* goal's below; left unsaid, the direction follows from the two numbers). Values are
decimals of ``METRIC_DIGITS``; a value further than ``PLAUSIBLE_SPAN_FACTOR`` times the
baseline→target distance from the goal is taken for a typing mistake (our default).

``goal_problem`` is the rule in Python, used by the forms, the import and the intake;
``goal_constraints`` is the same rule as the database's check constraints. Progress, the share of
the way from baseline to target, is computed in one place: the status refresh in ``challenges.clock``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

METRIC_DIGITS = {"max_digits": 18, "decimal_places": 4}
# The largest magnitude a metric value may have (the integer digits METRIC_DIGITS leaves).
MAX_ABS_VALUE = Decimal(10) ** (METRIC_DIGITS["max_digits"] - METRIC_DIGITS["decimal_places"])
VALUE_QUANTUM = Decimal(1).scaleb(-METRIC_DIGITS["decimal_places"])
PLAUSIBLE_SPAN_FACTOR = 1000


class Direction(models.TextChoices):
    INCREASE = "increase", _("increase")
    DECREASE = "decrease", _("decrease")


SAME = "target_equals_baseline"
AGAINST_INCREASE = "increase_needs_higher_target"
AGAINST_DECREASE = "decrease_needs_lower_target"
MESSAGES = {
    SAME: _("The target must differ from the baseline."),
    AGAINST_INCREASE: _("For an increase, the target must be above the baseline."),
    AGAINST_DECREASE: _("For a decrease, the target must be below the baseline."),
}


def implied_direction(*, baseline: Decimal, target: Decimal) -> Direction:
    return Direction.INCREASE if target > baseline else Direction.DECREASE


def goal_problem(*, direction: str, baseline: Decimal, target: Decimal) -> str | None:
    """What is wrong with a goal (a key of ``MESSAGES``), or None. An empty direction is implied."""
    if baseline == target:
        return SAME
    if direction == Direction.INCREASE and target < baseline:
        return AGAINST_INCREASE
    if direction == Direction.DECREASE and target > baseline:
        return AGAINST_DECREASE
    return None


def goal_constraints(prefix: str) -> list[models.CheckConstraint]:
    """``goal_problem`` as check constraints, named ``<prefix>_…``."""
    return [
        models.CheckConstraint(
            condition=~Q(baseline_value=F("target_value")), name=f"{prefix}_target_differs_from_baseline"
        ),
        models.CheckConstraint(
            condition=Q(direction=Direction.INCREASE, target_value__gt=F("baseline_value"))
            | Q(direction=Direction.DECREASE, target_value__lt=F("baseline_value")),
            name=f"{prefix}_target_matches_direction",
        ),
    ]


def plausible_range(*, baseline: Decimal, target: Decimal) -> tuple[Decimal, Decimal]:
    """Values outside this range are refused as typing mistakes (see ``PLAUSIBLE_SPAN_FACTOR``)."""
    span = abs(target - baseline) * PLAUSIBLE_SPAN_FACTOR
    return min(baseline, target) - span, max(baseline, target) + span
