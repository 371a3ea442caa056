"""Writes to accelerators and cohorts go through here: typed, keyword-only, atomic."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import StationAnchor, StationKind, StationTemplate

from .models import Accelerator, Cohort

# The 100 journey's stations (our default offsets where the public record gives none).
DEFAULT_STATIONS: list[tuple[StationKind, StationAnchor, int]] = [
    (StationKind.DESIGN_WORKSHOP, StationAnchor.DESIGN_START, 0),
    (StationKind.CHALLENGE_NOTE, StationAnchor.DESIGN_START, 14),
    (StationKind.LAUNCH_WORKSHOP, StationAnchor.LAUNCH, 0),
    (StationKind.SPONSOR_REVIEW, StationAnchor.LAUNCH, 28),
    (StationKind.PULSE_CHECK, StationAnchor.LAUNCH, 35),
    (StationKind.REFRESH_WORKSHOP, StationAnchor.LAUNCH, 50),
    (StationKind.RESULTS_NARRATIVE, StationAnchor.LAUNCH, 84),
    (StationKind.LANDING_WORKSHOP, StationAnchor.LAUNCH, 100),
    (StationKind.SUSTAINMENT_REVIEW, StationAnchor.LAUNCH, 130),
    (StationKind.SUSTAINMENT_REVIEW, StationAnchor.LAUNCH, 160),
    (StationKind.SUSTAINMENT_REVIEW, StationAnchor.LAUNCH, 190),
]


@transaction.atomic
def accelerator_install_default_stations(*, accelerator: Accelerator) -> int:
    """Give an accelerator the default station template; existing rows are kept."""
    rows = [
        StationTemplate(accelerator=accelerator, kind=kind, anchor=anchor, day_offset=offset)
        for kind, anchor, offset in DEFAULT_STATIONS
    ]
    created = StationTemplate.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


@transaction.atomic
def accelerator_create(**fields) -> Accelerator:
    accelerator = Accelerator(**fields)
    accelerator.full_clean()
    accelerator.save()
    accelerator_install_default_stations(accelerator=accelerator)
    return accelerator


def cohort_create(*, accelerator: Accelerator, number: int, name: str, design_start: date, launch_date: date) -> Cohort:
    """A draft cohort; it takes the accelerator's current sustainment length as its own."""
    if design_start > launch_date:
        raise ValidationError({"design_start": _("The design start must be on or before the launch day.")})
    cohort = Cohort(
        accelerator=accelerator,
        number=number,
        name=name,
        design_start=design_start,
        launch_date=launch_date,
        sustainment_days=accelerator.sustainment_days,
    )
    cohort.full_clean()
    cohort.save()
    return cohort


@transaction.atomic
def cohort_mark_launched(*, cohort: Cohort, by) -> bool:
    """Hand a cohort to the clock. A conditional UPDATE: of two simultaneous calls, one wins.

    Returns whether this call launched it.
    """
    launched = Cohort.objects.filter(pk=cohort.pk, status=Cohort.Status.DRAFT).update(
        status=Cohort.Status.LAUNCHED, launched_at=timezone.now(), launched_by=by
    )
    cohort.refresh_from_db()
    return bool(launched)
