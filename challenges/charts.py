"""The challenge chart: actual values against the expected trajectory, as server-rendered SVG.

This module only does the geometry (which points go where, in a fixed ``viewBox``); the
template draws them. No chart library, no JavaScript, nothing from another host: it prints,
scales to the width it is given (375 px phones included) and has a text alternative (a
``<title>``/``<desc>`` pair plus a data table the template renders visually hidden).

Right-to-left: the time axis is **not** mirrored. Time runs left to right (Day 0 at the left)
in every language, as in Arabic-language statistical publications, so the chart reads the same
for a team lead and an official comparing screenshots. The template says so explicitly with
``direction="ltr"`` on the ``<svg>`` (labels inside still use the page language); the page
around it mirrors as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cohorts.calendar import ACCELERATION_DAYS

from .goals import range_of

# User units of the viewBox; the SVG scales to its container (about 0.7× on a 375 px phone).
WIDTH, HEIGHT = 480, 270
MARGIN_START, MARGIN_END, MARGIN_TOP, MARGIN_BOTTOM = 60, 14, 14, 36
PLOT_W = WIDTH - MARGIN_START - MARGIN_END
PLOT_H = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM


@dataclass(frozen=True)
class Point:
    day: int
    value: float
    x: float
    y: float


@dataclass(frozen=True)
class Row:
    """One line of the text alternative: what was reported, and what was expected that day."""

    period: int
    reported_on: date
    day: int
    value: Decimal
    expected: float


@dataclass(frozen=True)
class GoalMark:
    """A day the goal's baseline or target was corrected after launch, drawn as a marked vertical line."""

    x: float
    day: int
    change: object  # a ``challenges.selectors.GoalChange``


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    actual: list[Point] = field(default_factory=list)
    expected: list[Point] = field(default_factory=list)
    # The expected line as re-drawn at the refresh workshop; empty if it never was.
    redrawn: list[Point] = field(default_factory=list)
    x_ticks: list[tuple[float, int]] = field(default_factory=list)
    y_ticks: list[tuple[float, float]] = field(default_factory=list)
    today_x: float | None = None
    target_y: float = 0.0
    baseline_y: float = 0.0
    rows: list[Row] = field(default_factory=list)
    goal_marks: list[GoalMark] = field(default_factory=list)
    plot_left: int = MARGIN_START
    plot_right: int = WIDTH - MARGIN_END
    plot_top: int = MARGIN_TOP
    plot_bottom: int = HEIGHT - MARGIN_BOTTOM

    @property
    def actual_points(self) -> str:
        """For ``<polyline points="…">``."""
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.actual)

    @property
    def expected_points(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.expected)

    @property
    def redrawn_points(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.redrawn)

    @property
    def latest(self) -> Point | None:
        return self.actual[-1] if len(self.actual) > 1 else None


def expected_value(*, baseline: Decimal, target: Decimal, day: int) -> float:
    """The straight line from baseline (Day 0) to target (Day 100), flat at the target after."""
    share = min(max(day, 0), ACCELERATION_DAYS) / ACCELERATION_DAYS
    return float(baseline) + (float(target) - float(baseline)) * share


def _value_axis(challenge, checkins) -> tuple[float, float, list[float]]:
    """The value axis: low and high covering the baseline, the target and every value reported.

    Padded by 8 % each side, but never past the goal's valid range (a waiting time's axis does not
    run below zero minutes). Also the reported values beyond baseline and target, labelled on the
    axis so the lowest and highest points read against a number.
    """
    goal = [float(challenge.baseline_value), float(challenge.target_value)]
    reported = [float(c.value) for c in checkins]
    low, high = min(goal + reported), max(goal + reported)
    pad = (high - low) * 0.08 or 1.0
    valid = range_of(challenge)
    padded_low, padded_high = low - pad, high + pad
    if valid.low is not None and padded_low < float(valid.low) <= low:
        padded_low = float(valid.low)
    if valid.high is not None and high <= float(valid.high) < padded_high:
        padded_high = float(valid.high)
    if padded_high - padded_low <= 0:
        padded_low, padded_high = low - pad, high + pad
    extremes = [v for v in (low, high) if v < min(goal) or v > max(goal)]
    return padded_low, padded_high, extremes


def trajectory_chart(*, challenge, checkins, today: date, goal_changes=()) -> Chart:
    """Chart ``challenge``'s check-ins (any iterable, any order) against the expected line.

    ``goal_changes`` (``challenges.selectors.goal_changes``) are marked on the day each took effect.
    """
    cohort = challenge.cohort
    launch = cohort.launch_date
    baseline, target = challenge.baseline_value, challenge.target_value
    checkins = sorted(checkins, key=lambda c: c.period)
    last_day = ACCELERATION_DAYS
    days = [(c.reported_on - launch).days for c in checkins]
    if (today - launch).days > ACCELERATION_DAYS or any(d > ACCELERATION_DAYS for d in days):
        last_day = ACCELERATION_DAYS + cohort.sustainment_days

    low, high, extremes = _value_axis(challenge, checkins)

    def x_of(day: int) -> float:
        return round(MARGIN_START + PLOT_W * min(max(day, 0), last_day) / last_day, 1)

    def y_of(value: float) -> float:
        return round(MARGIN_TOP + PLOT_H * (high - value) / (high - low), 1)

    chart = Chart()
    chart.actual = [Point(0, float(baseline), x_of(0), y_of(float(baseline)))]
    for checkin, day in zip(checkins, days, strict=True):
        chart.actual.append(Point(day, float(checkin.value), x_of(day), y_of(float(checkin.value))))
        chart.rows.append(
            Row(
                period=checkin.period,
                reported_on=checkin.reported_on,
                day=day,
                value=checkin.value,
                expected=round(expected_value(baseline=baseline, target=target, day=day), 4),
            )
        )
    line = [(0, baseline), (ACCELERATION_DAYS, target)]
    if last_day > ACCELERATION_DAYS:
        line.append((last_day, target))
    chart.expected = [Point(day, float(v), x_of(day), y_of(float(v))) for day, v in line]
    if challenge.trajectory_from_day is not None:
        redrawn = [(challenge.trajectory_from_day, challenge.trajectory_from_value), (ACCELERATION_DAYS, target)]
        if last_day > ACCELERATION_DAYS:
            redrawn.append((last_day, target))
        chart.redrawn = [Point(day, float(v), x_of(day), y_of(float(v))) for day, v in redrawn]
    step = 25 if last_day <= ACCELERATION_DAYS else 50
    days = list(range(0, last_day + 1, step))
    if last_day % step:
        # The last day gets its label; a regular tick too close before it would print over it.
        if days[-1] != ACCELERATION_DAYS and last_day - days[-1] < step:
            days.pop()
        days.append(last_day)
    chart.x_ticks = [(x_of(d), d) for d in days]
    chart.y_ticks = [(y_of(v), v) for v in sorted({float(baseline), float(target), *extremes})]
    chart.baseline_y, chart.target_y = y_of(float(baseline)), y_of(float(target))
    today_day = (today - launch).days
    if 0 <= today_day <= last_day:
        chart.today_x = x_of(today_day)
    chart.goal_marks = [GoalMark(x_of(change.day), change.day, change) for change in goal_changes]
    return chart
