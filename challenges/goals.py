"""A challenge's goal: the one place its rules live.

A goal moves a metric from a baseline to a target within 100 days: the target differs from the
baseline and lies in the goal's direction (an *increase* goal's target is above its baseline, a
*decrease* goal's below; left unsaid, the direction follows from the two numbers). Values are
decimals of ``METRIC_DIGITS``; a value further than ``PLAUSIBLE_SPAN_FACTOR`` times the
baseline→target distance from the goal is taken for a typing mistake (our default).

Every goal has a *kind* of unit (``UnitKind``) and with it a valid range: non-negative by default
(a count, a waiting time, money), 0–100 for a percentage; explicit lower and upper bounds on the
goal replace the kind's (a net balance may go below zero, a growth rate above 100 %). The
baseline, the target and every value reported must lie inside it (``value_problem``).

``goal_problem`` is the rule in Python, used by the forms, the import and the intake;
``goal_constraints`` is the same rule as the database's check constraints, built from the same
``KIND_RANGES``. Progress, the share of the way from baseline to target, is computed in one place:
the status refresh in ``challenges.clock``; ``standing`` says how to read it (below the baseline,
on the way, beyond the target).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.l10n import format_number

METRIC_DIGITS = {"max_digits": 18, "decimal_places": 4}
# The largest magnitude a metric value may have (the integer digits METRIC_DIGITS leaves).
MAX_ABS_VALUE = Decimal(10) ** (METRIC_DIGITS["max_digits"] - METRIC_DIGITS["decimal_places"])
VALUE_QUANTUM = Decimal(1).scaleb(-METRIC_DIGITS["decimal_places"])
PLAUSIBLE_SPAN_FACTOR = 1000


class Direction(models.TextChoices):
    INCREASE = "increase", _("increase")
    DECREASE = "decrease", _("decrease")


class UnitKind(models.TextChoices):
    COUNT = "count", _("count")
    DURATION = "duration", _("duration")
    PERCENTAGE = "percentage", _("percentage")
    MONEY = "money", _("money")
    RATE = "rate", _("rate")
    OTHER = "other", _("other")


# The valid range of each kind when the goal sets no bound of its own: (lowest, highest); None is open.
NON_NEGATIVE = (Decimal(0), None)
KIND_RANGES: dict[str, tuple[Decimal | None, Decimal | None]] = {
    UnitKind.COUNT: NON_NEGATIVE,
    UnitKind.DURATION: NON_NEGATIVE,
    UnitKind.PERCENTAGE: (Decimal(0), Decimal(100)),
    UnitKind.MONEY: NON_NEGATIVE,
    UnitKind.RATE: NON_NEGATIVE,
    UnitKind.OTHER: NON_NEGATIVE,
}
# Units that say the kind on their own, for an import that has no "unit kind" column.
KIND_OF_UNIT = {"%": UnitKind.PERCENTAGE, "٪": UnitKind.PERCENTAGE, "percent": UnitKind.PERCENTAGE}


def infer_kind(unit: str) -> str:
    return KIND_OF_UNIT.get((unit or "").strip().casefold(), UnitKind.OTHER)


@dataclass(frozen=True)
class ValidRange:
    low: Decimal | None
    high: Decimal | None

    def __contains__(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    @property
    def message(self) -> str:
        """The refusal, saying the allowed range (translated in the reader's language when shown)."""
        low, high = _shown(self.low), _shown(self.high)
        if self.high is None:
            return _("Enter a value of at least %(low)s for this goal.") % {"low": low}
        if self.low is None:
            return _("Enter a value of at most %(high)s for this goal.") % {"high": high}
        return _("Enter a value from %(low)s to %(high)s for this goal.") % {"low": low, "high": high}

    @property
    def hint(self) -> str:
        """The range as the check-in form's help text says it."""
        low, high = _shown(self.low), _shown(self.high)
        if self.high is None:
            return _("Valid values: %(low)s or more.") % {"low": low}
        if self.low is None:
            return _("Valid values: %(high)s or less.") % {"high": high}
        return _("Valid values: %(low)s to %(high)s.") % {"low": low, "high": high}


def _shown(value: Decimal | None) -> str:
    return format_number(value)


def valid_range(
    *, unit_kind: str, lower_bound: Decimal | None = None, upper_bound: Decimal | None = None
) -> ValidRange:
    """The values a goal of ``unit_kind`` accepts; an explicit bound replaces the kind's on its side."""
    low, high = KIND_RANGES.get(unit_kind or UnitKind.OTHER, NON_NEGATIVE)
    return ValidRange(low if lower_bound is None else lower_bound, high if upper_bound is None else upper_bound)


def range_of(goal) -> ValidRange:
    """The valid range of a challenge (or a candidate): anything with the goal's fields."""
    return valid_range(unit_kind=goal.unit_kind, lower_bound=goal.lower_bound, upper_bound=goal.upper_bound)


def value_problem(*, goal, value: Decimal) -> str | None:
    """Why a reported ``value`` cannot be the goal's, as a message naming the allowed range; or None."""
    valid = range_of(goal)
    return None if value in valid else valid.message


SAME = "target_equals_baseline"
AGAINST_INCREASE = "increase_needs_higher_target"
AGAINST_DECREASE = "decrease_needs_lower_target"
OUTSIDE_RANGE = "outside_range"
BOUNDS_CROSSED = "bounds_crossed"
MESSAGES = {
    SAME: _("The target must differ from the baseline."),
    BOUNDS_CROSSED: _("The lower bound must be below the upper bound."),
    AGAINST_INCREASE: _("For an increase, the target must be above the baseline."),
    AGAINST_DECREASE: _("For a decrease, the target must be below the baseline."),
}


def implied_direction(*, baseline: Decimal, target: Decimal) -> Direction:
    return Direction.INCREASE if target > baseline else Direction.DECREASE


def goal_problem(
    *,
    direction: str,
    baseline: Decimal,
    target: Decimal,
    unit_kind: str = UnitKind.OTHER,
    lower_bound: Decimal | None = None,
    upper_bound: Decimal | None = None,
) -> str | None:
    """What is wrong with a goal (a key of ``MESSAGES``), or None. An empty direction is implied.

    ``OUTSIDE_RANGE`` (the baseline or the target outside the valid range) has no fixed message:
    ``valid_range(...).message`` says the range.
    """
    if lower_bound is not None and upper_bound is not None and lower_bound >= upper_bound:
        return BOUNDS_CROSSED
    valid = valid_range(unit_kind=unit_kind, lower_bound=lower_bound, upper_bound=upper_bound)
    if baseline not in valid or target not in valid:
        return OUTSIDE_RANGE
    if baseline == target:
        return SAME
    if direction == Direction.INCREASE and target < baseline:
        return AGAINST_INCREASE
    if direction == Direction.DECREASE and target > baseline:
        return AGAINST_DECREASE
    return None


def _within_range(field: str) -> Q:
    """``field`` inside the valid range (``valid_range``) as a condition; NULL passes, as SQL has it."""
    explicit_low = Q(lower_bound__isnull=False, **{f"{field}__gte": F("lower_bound")})
    explicit_high = Q(upper_bound__isnull=False, **{f"{field}__lte": F("upper_bound")})
    by_kind_low, by_kind_high = Q(), Q()
    for kind, (low, high) in KIND_RANGES.items():
        by_kind_low |= Q(unit_kind=kind, **({} if low is None else {f"{field}__gte": low}))
        by_kind_high |= Q(unit_kind=kind, **({} if high is None else {f"{field}__lte": high}))
    return (explicit_low | Q(lower_bound__isnull=True) & by_kind_low) & (
        explicit_high | Q(upper_bound__isnull=True) & by_kind_high
    )


def range_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The valid range as check constraints: a known kind, bounds in order, baseline and target inside."""
    return [
        models.CheckConstraint(condition=Q(unit_kind__in=UnitKind.values), name=f"{prefix}_unit_kind_known"),
        models.CheckConstraint(
            condition=Q(lower_bound__isnull=True) | Q(upper_bound__isnull=True) | Q(lower_bound__lt=F("upper_bound")),
            name=f"{prefix}_bounds_in_order",
        ),
        models.CheckConstraint(condition=_within_range("baseline_value"), name=f"{prefix}_baseline_in_range"),
        models.CheckConstraint(condition=_within_range("target_value"), name=f"{prefix}_target_in_range"),
    ]


def goal_constraints(prefix: str) -> list[models.CheckConstraint]:
    """``goal_problem`` as check constraints, named ``<prefix>_…``."""
    return [
        *range_constraints(prefix),
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


# --- Reading progress -------------------------------------------------------------------------

# Progress is a float ratio of decimals: within this of 0 or 1 it counts as exactly there.
PROGRESS_EPSILON = 1e-9


class Standing(models.TextChoices):
    BELOW_BASELINE = "below_baseline", _("below baseline")
    ON_THE_WAY = "on_the_way", _("on the way")
    BEYOND_TARGET = "beyond_target", _("beyond target")


def standing(progress: float) -> Standing:
    """Where a challenge's progress (0 at the baseline, 1 at the target) puts it."""
    if progress < -PROGRESS_EPSILON:
        return Standing.BELOW_BASELINE
    if progress > 1 + PROGRESS_EPSILON:
        return Standing.BEYOND_TARGET
    return Standing.ON_THE_WAY


def progress_text(progress: float) -> str:
    """Progress as a person reads it: a share of the way between 0 and 100 %, else where it stands.

    130 % "of the way" is no share of anything: past the target it says "beyond target (130%)",
    worse than the baseline "below baseline (−20%)".
    """
    pct = round(100 * progress)
    shown = standing(progress)
    if shown == Standing.BEYOND_TARGET:
        return _("beyond target (%(progress)s%%)") % {"progress": pct}
    if shown == Standing.BELOW_BASELINE:
        return _("below baseline (%(progress)s%%)") % {"progress": str(pct).replace("-", "−")}
    return _("%(progress)s%% of the way") % {"progress": pct}
