"""A cohort's results and where it stands: what the accelerator overview and the API both show.

Aggregated in the database from the challenges' stored columns (kept current by the clock and
the check-in service), so every reader gets the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Q, QuerySet

from cohorts.calendar import Phase, day_in_acceleration, journey_day, phase_on
from cohorts.models import Cohort

from .models import Status

_ACTIVE = Q(challenges__withdrawn_at__isnull=True)
_AFTER_DAY_100 = _ACTIVE & Q(challenges__phase__in=[Phase.SUSTAINMENT, Phase.CLOSED])


@dataclass
class CohortResult:
    cohort: Cohort
    phase: str
    phase_label: str
    day: int
    total: int
    achieved: int
    mean_progress: float | None
    after_day_100: int
    sustained: int
    withdrawn: int
    day_text: str = ""  # "Launch in 41 days", "Day 37/100" (cohorts.calendar.journey_day)

    @property
    def achieved_pct(self) -> int:
        return round(100 * self.achieved / self.total) if self.total else 0

    @property
    def mean_progress_pct(self) -> int | None:
        return None if self.mean_progress is None else round(100 * self.mean_progress)


def clamped_day(cohort: Cohort, today: date) -> int:
    """Day n of the 100, held between 0 (design) and 100 (sustainment and after)."""
    return day_in_acceleration(cohort.day_number(today))


def cohort_phase(cohort: Cohort, today: date) -> tuple[str, str]:
    if not cohort.is_launched:
        return Cohort.Status.DRAFT.value, str(Cohort.Status.DRAFT.label)
    phase = phase_on(cohort, today)
    return phase.value, str(phase.label)


def with_results(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Cohorts annotated with their results, aggregated in the database (the overview, the API).

    Achieved counts challenges at or past their target now (status achieved, or sustained after
    Day 100); mean progress is over challenges past design; withdrawn ones are left out of both.
    """
    return cohorts.annotate(
        total=Count("challenges", filter=_ACTIVE),
        achieved=Count("challenges", filter=_ACTIVE & Q(challenges__status__in=[Status.ACHIEVED, Status.SUSTAINED])),
        mean_progress=Avg("challenges__progress", filter=_ACTIVE & ~Q(challenges__phase=Phase.DESIGN)),
        after_day_100=Count("challenges", filter=_AFTER_DAY_100),
        sustained=Count("challenges", filter=_AFTER_DAY_100 & Q(challenges__status=Status.SUSTAINED)),
        withdrawn=Count("challenges", filter=Q(challenges__withdrawn_at__isnull=False)),
    )


def cohort_result(cohort: Cohort, today: date) -> CohortResult:
    """A cohort read through ``with_results``, as the overview shows it on ``today``."""
    phase, label = cohort_phase(cohort, today)
    return CohortResult(
        cohort=cohort,
        phase=phase,
        phase_label=label,
        day=clamped_day(cohort, today),
        total=cohort.total,
        achieved=cohort.achieved,
        mean_progress=cohort.mean_progress,
        after_day_100=cohort.after_day_100,
        sustained=cohort.sustained,
        withdrawn=cohort.withdrawn,
        day_text=journey_day(cohort, today),
    )
