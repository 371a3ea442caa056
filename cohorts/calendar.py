"""A cohort's calendar: the one place the 100 journey's day arithmetic and phase order live.

Days are counted in the accelerator's time zone. Day 0 is the launch (it still belongs to design),
acceleration is Day 1–100, sustainment Day 101–100+S (S = the cohort's ``sustainment_days``),
closed from Day 101+S (``../shared/DOMAIN.md``). ``phase_on`` says it in Python; the clock's SQL is
built from the same ``STEPS`` (``challenges.clock``), and the tests run both on the same dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

ACCELERATION_DAYS = 100


class Phase(models.TextChoices):
    DESIGN = "design", _("design")
    ACCELERATION = "acceleration", _("acceleration")
    SUSTAINMENT = "sustainment", _("sustainment")
    CLOSED = "closed", _("closed")


# The journey's order; a challenge only ever moves forward along it.
PHASE_ORDER = [Phase.DESIGN, Phase.ACCELERATION, Phase.SUSTAINMENT, Phase.CLOSED]
PHASE_RANK = {phase: rank for rank, phase in enumerate(PHASE_ORDER)}
# The phases that take check-ins (acceleration weekly, sustainment monthly).
REPORTING_PHASES = [Phase.ACCELERATION, Phase.SUSTAINMENT]


@dataclass(frozen=True)
class Step:
    """Entering ``to_phase`` from ``from_phase`` on launch + ``days`` (+ the sustainment length if
    ``plus_sustainment``)."""

    from_phase: Phase
    to_phase: Phase
    days: int
    plus_sustainment: int

    def takes_effect(self, *, launch_date: date, sustainment_days: int) -> date:
        return launch_date + timedelta(days=self.days + self.plus_sustainment * sustainment_days)


STEPS = [
    Step(Phase.DESIGN, Phase.ACCELERATION, 1, 0),
    Step(Phase.ACCELERATION, Phase.SUSTAINMENT, ACCELERATION_DAYS + 1, 0),
    Step(Phase.SUSTAINMENT, Phase.CLOSED, ACCELERATION_DAYS + 1, 1),
]


def phase_on(cohort, day: date) -> Phase:
    """The phase a (non-withdrawn) challenge of ``cohort`` is in on ``day`` (a local date)."""
    phase = Phase.DESIGN
    for step in STEPS:
        if day >= step.takes_effect(launch_date=cohort.launch_date, sustainment_days=cohort.sustainment_days):
            phase = step.to_phase
    return phase


def phase_starts_on(cohort, phase: Phase) -> date | None:
    """The first local date of ``phase`` for the cohort's challenges (None for design)."""
    for step in STEPS:
        if step.to_phase == phase:
            return step.takes_effect(launch_date=cohort.launch_date, sustainment_days=cohort.sustainment_days)
    return None


def day_number(launch_date: date, today: date) -> int:
    """Day n of the 100: 0 on launch day, negative before it."""
    return (today - launch_date).days


def day_in_acceleration(day: int) -> int:
    """The day shown on the 100-day scale: 0 before launch, 100 after it."""
    return min(max(day, 0), ACCELERATION_DAYS)


def expected_share(day: int) -> float:
    """Expected share of the way to the target on ``day``: a straight line over the 100 days (our default)."""
    return day_in_acceleration(day) / ACCELERATION_DAYS


def journey_day(cohort, today: date, *, withdrawn: bool = False) -> str:
    """Where a cohort (or one of its challenges) is on its journey, as every page says it.

    "Launch in 41 days" before Day 0, "Day 0 (launch day)", "Day 37/100" during acceleration,
    "Sustainment day 12/90" after it, then "Sustainment ended on 4 June 2027" (beside the phase,
    "Closed", it says when); "Withdrawn" for a withdrawn challenge. The
    dashboards, the briefing, My challenges and the challenge page all say it with this.
    """
    day = day_number(cohort.launch_date, today)
    if withdrawn:
        return gettext("Withdrawn")
    if day < 0:
        return ngettext("Launch in %(counter)s day", "Launch in %(counter)s days", -day) % {"counter": -day}
    if day == 0:
        return gettext("Day 0 (launch day)")
    if day <= ACCELERATION_DAYS:
        return gettext("Day %(n)s/100") % {"n": day}
    sustainment_day = day - ACCELERATION_DAYS
    if sustainment_day > cohort.sustainment_days:
        ended = launch_date_plus(cohort, ACCELERATION_DAYS + cohort.sustainment_days)
        return gettext("Sustainment ended on %(date)s") % {"date": date_format(ended, "DATE_FORMAT")}
    return gettext("Sustainment day %(n)s/%(total)s") % {"n": sustainment_day, "total": cohort.sustainment_days}


def launch_date_plus(cohort, days: int) -> date:
    return cohort.launch_date + timedelta(days=days)
