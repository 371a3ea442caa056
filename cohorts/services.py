"""Writes to cohorts go through here: typed, keyword-only, atomic."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Accelerator, Cohort

DESIGN_AFTER_LAUNCH = gettext_lazy("The design start must be on or before the launch day.")


class StaleCohort(ValidationError):
    """Someone else saved the cohort after the form was shown: nothing was changed."""


def cohort_create(*, accelerator: Accelerator, number: int, name: str, design_start: date, launch_date: date) -> Cohort:
    """A draft cohort; it takes the accelerator's current sustainment length as its own."""
    if design_start > launch_date:
        raise ValidationError({"design_start": DESIGN_AFTER_LAUNCH})
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


def edit_token(value) -> str:
    """The optimistic-concurrency token an edit form carries: the row's ``updated_at``."""
    return value.isoformat() if value else ""


@transaction.atomic
def cohort_update_draft(*, cohort: Cohort, by, token: str, name: str, design_start: date, launch_date: date) -> Cohort:
    """Rename a draft or move its dates, with the checks a new cohort gets.

    ``token`` is the ``updated_at`` the form showed: if the row changed since (another admin, another
    tab, or the launch), nothing is saved. Saved with ``save()`` so the history records who did it.
    """
    locked = Cohort.objects.select_for_update().select_related("accelerator").get(pk=cohort.pk)
    if locked.is_launched:
        raise ValidationError(_("The cohort has been launched; its name and dates can no longer be changed here."))
    if edit_token(locked.updated_at) != token:
        raise StaleCohort(
            _(
                "Someone else changed this cohort after you opened the form. Nothing was saved; "
                "the current values are shown."
            )
        )
    if design_start > launch_date:
        raise ValidationError({"design_start": DESIGN_AFTER_LAUNCH})
    locked.name, locked.design_start, locked.launch_date = name, design_start, launch_date
    locked.full_clean(exclude=["accelerator", "number"])
    locked._history_user = by
    locked.save(update_fields=["name", "design_start", "launch_date", "updated_at"])
    return locked


@transaction.atomic
def cohort_mark_launched(*, cohort: Cohort, by) -> bool:
    """Hand a cohort to the clock. Of two simultaneous calls, one wins (the row lock decides).

    Returns whether this call launched it. Saved with ``save()``, so the launch is in the cohort's
    history with who launched it.
    """
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    launched = locked.status == Cohort.Status.DRAFT
    if launched:
        locked.status, locked.launched_at, locked.launched_by = Cohort.Status.LAUNCHED, timezone.now(), by
        locked._history_user = by
        locked.save(update_fields=["status", "launched_at", "launched_by", "updated_at"])
    cohort.refresh_from_db()
    return launched
