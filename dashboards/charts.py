"""Geometry for the dashboards' server-rendered SVG charts; the markup lives in the templates.

Charts are drawn in a fixed viewBox and scale with the page. Every chart has a text
alternative beside it (a data table), so nothing is said by the drawing alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cohorts.calendar import ACCELERATION_DAYS
from dashboards.selectors import CohortCurve, CohortResult

WIDTH, HEIGHT = 640, 280
PAD_START, PAD_END, PAD_TOP, PAD_BOTTOM = 56, 36, 16, 36


@dataclass
class Tick:
    pos: float
    label: str


@dataclass
class ProgressChart:
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: float = PAD_START
    plot_right: float = WIDTH - PAD_END
    plot_top: float = PAD_TOP
    plot_bottom: float = HEIGHT - PAD_BOTTOM
    expected_line: tuple[float, float, float, float] = (0, 0, 0, 0)
    actual_points: str = ""
    dots: list[tuple[float, float]] = field(default_factory=list)
    today_x: float | None = None
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    has_data: bool = False
    x_label_y: float = HEIGHT - PAD_BOTTOM + 20
    y_label_x: float = PAD_START - 6


def _progress_domain(values: list[float]) -> tuple[float, float]:
    """0–100% at least, widened in steps of 25 points to fit progress below baseline or past target."""
    low = min([0.0, *values])
    high = max([1.0, *values])
    return math.floor(low * 4) / 4, math.ceil(high * 4) / 4


def progress_chart(curve: CohortCurve) -> ProgressChart:
    """Mean progress per check-in period against the expected straight line d/100."""
    chart = ProgressChart()
    low, high = _progress_domain([p.mean_progress for p in curve.points])
    span_x = chart.plot_right - chart.plot_left
    span_y = chart.plot_bottom - chart.plot_top

    def x(day: float) -> float:
        return round(chart.plot_left + span_x * day / ACCELERATION_DAYS, 1)

    def y(progress: float) -> float:
        return round(chart.plot_bottom - span_y * (progress - low) / (high - low), 1)

    chart.expected_line = (x(0), y(0), x(ACCELERATION_DAYS), y(1))
    chart.dots = [(x(p.day), y(p.mean_progress)) for p in curve.points]
    chart.actual_points = " ".join(f"{px},{py}" for px, py in [(x(0), y(0)), *chart.dots]) if chart.dots else ""
    chart.has_data = bool(chart.dots)
    chart.today_x = x(curve.today) if 0 < curve.today <= ACCELERATION_DAYS else None
    chart.x_ticks = [Tick(x(day), str(day)) for day in range(0, ACCELERATION_DAYS + 1, 25)]
    steps = round((high - low) / 0.25)
    chart.y_ticks = [Tick(y(low + i * 0.25), f"{round(100 * (low + i * 0.25))}%") for i in range(steps + 1)]
    return chart


@dataclass
class ResultBar:
    label: str
    y: float
    progress_y: float
    label_y: float
    achieved_width: float
    progress_width: float
    achieved_pct: int
    progress_pct: int | None


@dataclass
class ResultsChart:
    width: int = WIDTH
    height: int = 0
    plot_left: float = PAD_START
    plot_right: float = WIDTH - PAD_END
    bar_height: float = 12
    axis_y: float = 0
    tick_label_y: float = 0
    label_x: float = PAD_START - 8
    bars: list[ResultBar] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)


def results_chart(results: list[CohortResult]) -> ResultsChart:
    """Per cohort, two bars: share of challenges achieved, and mean progress (0–100%)."""
    chart = ResultsChart()
    row = 2 * chart.bar_height + 16
    span = chart.plot_right - chart.plot_left
    chart.height = int(PAD_TOP + row * max(len(results), 1) + PAD_BOTTOM)
    for index, result in enumerate(results):
        progress = result.mean_progress_pct
        chart.bars.append(
            ResultBar(
                label=f"#{result.cohort.number}",
                y=PAD_TOP + index * row,
                progress_y=PAD_TOP + index * row + chart.bar_height,
                label_y=PAD_TOP + index * row + chart.bar_height + 4,
                achieved_width=round(span * result.achieved_pct / 100, 1),
                progress_width=round(span * min(max(progress or 0, 0), 100) / 100, 1),
                achieved_pct=result.achieved_pct,
                progress_pct=progress,
            )
        )
    chart.axis_y = chart.height - PAD_BOTTOM
    chart.tick_label_y = chart.axis_y + 18
    chart.x_ticks = [Tick(round(chart.plot_left + span * pct / 100, 1), f"{pct}%") for pct in range(0, 101, 25)]
    return chart
