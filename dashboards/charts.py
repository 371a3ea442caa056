"""Geometry for the dashboards' server-rendered SVG charts; the markup lives in the templates.

Charts are drawn in a fixed viewBox and scale with the page. Every chart has a text
alternative beside it (a data table), so nothing is said by the drawing alone.

Text in a viewBox shrinks with the drawing: the 640-unit chart on a 375 px phone (343 px of
content) would print its 12-unit labels at 6 px. So each chart comes in two geometries, the wide
one and a compact one about as many units wide as a phone's column is pixels wide, and the
template shows one or the other by the screen's width (``Geometry.shown``); each keeps its labels
at 12 px or more wherever it is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cohorts.calendar import ACCELERATION_DAYS
from dashboards.selectors import CohortCurve, CohortResult

WIDTH, HEIGHT = 640, 280
PAD_START, PAD_END, PAD_TOP, PAD_BOTTOM = 56, 36, 16, 36


@dataclass(frozen=True)
class Geometry:
    """One drawing size: its viewBox, paddings, label size (in viewBox units) and where it shows."""

    name: str
    width: int
    height: int
    pad_start: int
    pad_end: int
    pad_top: int
    pad_bottom: int
    font_size: int
    day_step: int
    shown: str  # the svg's classes: which screen widths it is drawn at, and how wide it may grow


# Wide: from 640 px screens (608 px of content, 13 units → 12.4 px) up to max-w-3xl (768 px).
WIDE = Geometry("wide", WIDTH, HEIGHT, PAD_START, PAD_END, PAD_TOP, PAD_BOTTOM, 13, 25, "hidden sm:block max-w-3xl")
# Compact: below 640 px, at most 24rem (384 px) wide; 340 units at 343 px (375 px screen) → 12.1 px.
COMPACT = Geometry("compact", 340, 220, 44, 28, 12, 30, 12, 50, "sm:hidden max-w-[24rem]")
GEOMETRIES = (WIDE, COMPACT)


@dataclass
class Tick:
    pos: float
    label: str


@dataclass
class ProgressChart:
    geometry: Geometry = WIDE
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


def progress_charts(curve: CohortCurve) -> list[ProgressChart]:
    """The progress chart in every geometry (the template shows the one that fits the screen)."""
    return [progress_chart(curve, geometry=g) for g in GEOMETRIES]


def progress_chart(curve: CohortCurve, *, geometry: Geometry = WIDE) -> ProgressChart:
    """Mean progress per check-in period against the expected straight line d/100."""
    g = geometry
    chart = ProgressChart(
        geometry=g,
        width=g.width,
        height=g.height,
        plot_left=g.pad_start,
        plot_right=g.width - g.pad_end,
        plot_top=g.pad_top,
        plot_bottom=g.height - g.pad_bottom,
        x_label_y=g.height - g.pad_bottom + 20,
        y_label_x=g.pad_start - 6,
    )
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
    chart.x_ticks = [Tick(x(day), str(day)) for day in range(0, ACCELERATION_DAYS + 1, g.day_step)]
    steps = round((high - low) / 0.25)
    chart.y_ticks = [Tick(y(low + i * 0.25), f"{round(100 * (low + i * 0.25))}%") for i in range(steps + 1)]
    return chart


@dataclass
class ResultBar:
    label: str  # the cohort's name, shortened to fit the drawing
    name: str  # the whole name (the text alternative)
    y: float
    progress_y: float
    label_y: float
    achieved_width: float
    progress_width: float
    achieved_pct: int
    progress_pct: int | None


@dataclass
class ResultsChart:
    geometry: Geometry = WIDE
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


def _truncated(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def results_charts(results: list[CohortResult]) -> list[ResultsChart]:
    """The results chart in every geometry (the template shows the one that fits the screen)."""
    return [results_chart(results, geometry=g) for g in GEOMETRIES]


def results_chart(results: list[CohortResult], *, geometry: Geometry = WIDE) -> ResultsChart:
    """Per cohort, two bars: share of challenges achieved, and mean progress (0–100%)."""
    g = geometry
    chart = ResultsChart(
        geometry=g, width=g.width, plot_left=g.pad_start, plot_right=g.width - g.pad_end, label_x=g.pad_start - 8
    )
    # Each cohort's name on a line of its own above its two bars, across the whole drawing: a name
    # says which cohort it is, where "#2" sent the reader to the table to find out.
    label_line = g.font_size + 6
    row = label_line + 2 * chart.bar_height + 14
    span = chart.plot_right - chart.plot_left
    chart.label_x = 4
    chart.height = int(PAD_TOP + row * max(len(results), 1) + PAD_BOTTOM)
    fits = int((g.width - 8) / (g.font_size * 0.6))  # characters of an average width
    for index, result in enumerate(results):
        progress = result.mean_progress_pct
        top = PAD_TOP + index * row
        chart.bars.append(
            ResultBar(
                label=_truncated(result.cohort.name, fits),
                name=result.cohort.name,
                y=top + label_line,
                progress_y=top + label_line + chart.bar_height,
                label_y=top + g.font_size,
                achieved_width=round(span * result.achieved_pct / 100, 1),
                progress_width=round(span * min(max(progress or 0, 0), 100) / 100, 1),
                achieved_pct=result.achieved_pct,
                progress_pct=progress,
            )
        )
    chart.axis_y = chart.height - PAD_BOTTOM
    chart.tick_label_y = chart.axis_y + 18
    step = 25 if g.day_step == 25 else 50
    chart.x_ticks = [Tick(round(chart.plot_left + span * pct / 100, 1), f"{pct}%") for pct in range(0, 101, step)]
    return chart
