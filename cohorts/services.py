"""Writes to cohorts go through here: typed, keyword-only, atomic."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Accelerator, Cohort


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
