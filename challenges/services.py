"""Writes to challenges go through here: typed, keyword-only, atomic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cohorts.models import Accelerator, Cohort
from members.models import Membership

from . import events, goals, periods
from .clock import refresh_status
from .models import (
    Blocker,
    Challenge,
    CheckIn,
    CheckInRevision,
    Notification,
    Station,
    StationAnchor,
    StationKind,
    StationTemplate,
    Status,
)

# A team lead may correct their own check-in for this long after posting it.
CORRECTION_WINDOW = timedelta(hours=24)
BLOCKER_NOTIFIED_ROLES = [Membership.Role.SPONSOR, Membership.Role.COACH]


class StaleEdit(ValidationError):
    """Someone else saved first (optimistic concurrency): the caller's change was not applied."""


@transaction.atomic
def challenge_withdraw(*, challenge: Challenge, by, reason: str) -> Challenge:
    """Take a challenge off the clock for good; the reason is kept for the record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for withdrawing the challenge.")})
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if locked.withdrawn_at is not None:
        raise ValidationError(_("This challenge has already been withdrawn."))
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.withdrawn_reason = reason
    locked.status = Status.WITHDRAWN
    locked._history_user = by  # the history says who, from a request or not
    locked._change_reason = reason[:100]
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason", "status", "updated_at"])
    return locked


def refuse_if_withdrawn(challenge: Challenge, message) -> None:
    """Raise ``message`` if the challenge is withdrawn, as the database says now, not as it was read.

    Locks the challenge's row until the caller's transaction ends, as ``challenge_withdraw`` does,
    so a withdrawal and a write to the challenge cannot cross.
    """
    withdrawn_at = Challenge.objects.select_for_update().values_list("withdrawn_at", flat=True).get(pk=challenge.pk)
    if withdrawn_at is not None:
        raise ValidationError(message)


# --- Check-ins ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInOutcome:
    checkin: CheckIn
    corrected: bool  # an existing check-in was corrected (a revision was kept)
    merged: bool  # the person posted a new check-in for a period that already had theirs


def checkin_correctable_until(checkin: CheckIn) -> datetime:
    return checkin.created_at + CORRECTION_WINDOW


def checkin_may_correct(*, checkin: CheckIn, by, now: datetime | None = None) -> bool:
    """Only its author, and only within ``CORRECTION_WINDOW`` of first posting it."""
    return checkin.author_id == by.pk and (now or timezone.now()) <= checkin_correctable_until(checkin)


@transaction.atomic
def checkin_submit(
    *,
    challenge: Challenge,
    by,
    value: Decimal,
    done: str,
    next_steps: str = "",
    confidence: int,
    version: int | None = None,
    now: datetime | None = None,
) -> CheckInOutcome:
    """Post this period's check-in, or correct it (``version`` is what the form was showing).

    One check-in per period: a second post by its author within the correction window edits
    it; anything else that would overwrite it is refused. The challenge's current value, status
    and stale flag are then recomputed by the clock's own rule.
    """
    now = now or timezone.now()
    accelerator = challenge.cohort.accelerator
    today = accelerator.local_today(now)
    if challenge.is_withdrawn:
        raise ValidationError(_("This challenge has been withdrawn; it takes no more check-ins."))
    current = periods.current_period(cohort=challenge.cohort, cadence=accelerator.checkin_cadence_days, today=today)
    if current is None:
        raise ValidationError(_("Check-ins are taken from Day 1 until the end of sustainment; none is due today."))
    done, next_steps = (done or "").strip(), (next_steps or "").strip()
    if not done:
        raise ValidationError({"done": _("Say what the team did in this period.")})
    low, high = goals.plausible_range(baseline=challenge.baseline_value, target=challenge.target_value)
    if not low <= value <= high:
        raise ValidationError(
            {"value": _("This value is far outside the goal's range; check it for a typing mistake.")}
        )
    outside = goals.value_problem(goal=challenge, value=value)
    if outside:
        raise ValidationError({"value": outside})

    existing = CheckIn.objects.filter(challenge=challenge, period=current.number).first()
    fields = {"value": value, "done": done, "next_steps": next_steps, "confidence": confidence}
    if existing is None:
        try:
            with transaction.atomic():
                checkin = CheckIn.objects.create(
                    challenge=challenge,
                    accelerator=accelerator,
                    author=by,
                    period=current.number,
                    reported_on=today,
                    **fields,
                )
        except IntegrityError:
            raise StaleEdit(
                _("Someone else posted this period's check-in a moment ago. Yours was not saved; theirs is shown.")
            ) from None
        outcome = CheckInOutcome(checkin=checkin, corrected=False, merged=False)
    else:
        if not checkin_may_correct(checkin=existing, by=by, now=now):
            raise StaleEdit(
                _(
                    "This period already has a check-in. Only its author may correct it, within 24 hours of "
                    "posting; nothing was saved."
                )
            )
        expected = existing.version if version is None else version
        checkin = _checkin_correct(checkin=existing, expected_version=expected, by=by, now=now, fields=fields)
        outcome = CheckInOutcome(checkin=checkin, corrected=True, merged=version is None)
    challenge_take_latest_checkin(challenge=challenge, today=today)
    events.checkin_recorded.send(sender=CheckIn, checkin=outcome.checkin, corrected=outcome.corrected)
    return outcome


def _checkin_correct(*, checkin: CheckIn, expected_version: int, by, now: datetime, fields: dict) -> CheckIn:
    conflict = StaleEdit(
        _(
            "This check-in was changed by someone else (or in another tab) after you opened it. Your changes "
            "were not saved; the current version is shown."
        )
    )
    if checkin.version != expected_version:
        raise conflict
    # The row count of a conditional UPDATE decides who wins: never a read-then-write in Python.
    updated = CheckIn.objects.filter(pk=checkin.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_at=now
    )
    if updated == 0:
        raise conflict
    CheckInRevision.objects.create(
        checkin=checkin,
        version=expected_version,
        value=checkin.value,
        done=checkin.done,
        next_steps=checkin.next_steps,
        confidence=checkin.confidence,
        corrected_by=by,
        corrected_at=now,
    )
    checkin.refresh_from_db()
    return checkin


def challenge_take_latest_checkin(*, challenge: Challenge, today: date) -> None:
    """Copy the newest check-in's value and date onto the challenge, then its progress and status.

    Every write of a check-in ends here (the form, a correction, the admin), so the challenge row
    is rewritten with it (the cached pages' digests read the check-ins too: ``core.pagecache``).
    """
    latest = CheckIn.objects.filter(challenge=OuterRef("pk")).order_by("-period")
    Challenge.objects.filter(pk=challenge.pk).update(
        current_value=Subquery(latest.values("value")[:1]),
        last_checkin_on=Subquery(latest.values("reported_on")[:1]),
    )
    refresh_status(accelerator=challenge.cohort.accelerator, today=today, challenge_ids=[challenge.pk])


# --- Blockers -------------------------------------------------------------------------------------


@transaction.atomic
def blocker_raise(
    *,
    challenge: Challenge,
    by,
    description: str,
    severity: str,
    decision_needed_by: date | None = None,
    owner=None,
    now: datetime | None = None,
) -> Blocker:
    """Record a blocker and escalate it to the sponsor and the coach (in-app now, e-mail on commit).

    Its owner is a member of the team (whoever raised it unless someone else is named); past its
    due date (``decision_needed_by``) the escalation job tells the sponsor once.
    """
    now = now or timezone.now()
    refuse_if_withdrawn(challenge, _("This challenge has been withdrawn; it takes no more blockers."))
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what is blocking the team.")})
    if decision_needed_by is not None and decision_needed_by < challenge.cohort.accelerator.local_today(now):
        raise ValidationError({"decision_needed_by": _("The due date cannot be in the past.")})
    team = Membership.objects.filter(challenge=challenge)
    if owner is None:
        owner = by if team.filter(user=by).exists() else None  # a superuser has no seat to own it from
    elif not team.filter(user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a member of this challenge's team.")})
    blocker = Blocker.objects.create(
        challenge=challenge,
        raised_by=by,
        owner=owner,
        description=description,
        severity=severity,
        decision_needed_by=decision_needed_by,
    )
    from .notifications import blocker_raised_message, queue_notification_emails, shown_names

    names = shown_names(challenge.cohort.accelerator, [by])
    seats = (
        Membership.objects.filter(challenge=challenge, role__in=BLOCKER_NOTIFIED_ROLES)
        .exclude(user=by)
        .select_related("user")
    )
    readers = {seat.user_id: seat.user for seat in seats}
    rows = []
    for reader in readers.values():
        with translation.override(reader.reading_language(challenge.cohort.accelerator)):
            rows.append(
                Notification(
                    user=reader,
                    challenge=challenge,
                    blocker=blocker,
                    kind=Notification.Kind.BLOCKER_RAISED,
                    message=blocker_raised_message(blocker, names[by.pk]),
                )
            )
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    if ids:
        transaction.on_commit(lambda: queue_notification_emails(ids))
    return blocker


@transaction.atomic
def blocker_resolve(*, blocker: Blocker, by, resolution: str, version: int, now: datetime | None = None) -> Blocker:
    """Close a blocker; refused if anyone changed it since the form was shown."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say how the blocker was removed.")})
    updated = Blocker.objects.filter(pk=blocker.pk, version=version, state=Blocker.State.OPEN).update(
        state=Blocker.State.RESOLVED,
        resolution=resolution,
        resolved_at=now or timezone.now(),
        resolved_by=by,
        version=F("version") + 1,
    )
    if updated == 0:
        raise StaleEdit(
            _("This blocker was changed by someone else after you opened the page. Nothing was saved; see it now.")
        )
    blocker.refresh_from_db()
    return blocker


# --- Stations -------------------------------------------------------------------------------------


@transaction.atomic
def station_mark_done(*, station: Station, by, done_on: date, now: datetime | None = None) -> Station:
    """Tick off a station on the day it happened (not a day in the future)."""
    cohort = station.challenge.cohort
    refuse_if_withdrawn(
        station.challenge, _("This challenge has been withdrawn; its stations can no longer be ticked off.")
    )
    if done_on > cohort.accelerator.local_today(now or timezone.now()):
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    if done_on < cohort.design_start:
        raise ValidationError({"done_on": _("The date cannot be before the cohort's design started.")})
    updated = (
        Station.objects.filter(pk=station.pk)
        .exclude(state=Station.State.DONE)
        .update(state=Station.State.DONE, done_on=done_on, done_by=by)
    )
    if updated == 0:
        raise StaleEdit(_("This station was already marked done."))
    station.refresh_from_db()
    return station


# --- Notifications --------------------------------------------------------------------------------


def notifications_mark_read(*, user, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Mark the person's own notifications read (all unread ones when ``ids`` is None)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=now or timezone.now())


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
def accelerator_install_default_stations(*, accelerator) -> int:
    """Give an accelerator the default station template; existing rows are kept."""
    rows = [
        StationTemplate(accelerator=accelerator, kind=kind, anchor=anchor, day_offset=offset)
        for kind, anchor, offset in DEFAULT_STATIONS
    ]
    created = StationTemplate.objects.bulk_create(rows, ignore_conflicts=True)
    station_templates_changed(accelerator_id=accelerator.pk)
    return len(created)


@transaction.atomic
def station_templates_changed(*, accelerator_id: int) -> None:
    """After an accelerator's station template changed: its cohorts' stations are checked against it
    on the clock's next tick (``Cohort.stations_synced``). Behind the accelerator's row lock, which
    the tick holds, so a change made during a tick is never marked as seen by it."""
    list(Accelerator.objects.select_for_update().filter(pk=accelerator_id).values_list("pk", flat=True))
    Cohort.objects.filter(accelerator_id=accelerator_id).update(stations_synced=False)
