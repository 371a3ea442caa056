"""Writes to accelerators and cohorts go through here: typed, keyword-only, atomic."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from challenges.clock import clock_tick
from challenges.models import (
    Challenge,
    Direction,
    Membership,
    Notification,
    StationAnchor,
    StationKind,
    StationTemplate,
    Status,
)
from challenges.notifications import challenge_url, reader_language, send_to_people

from .models import Accelerator, CandidateChallenge, Cohort, Invitation

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


# --- Intake: the initial challenge list -------------------------------------------------------


@transaction.atomic
def candidates_pick(*, candidates: list[CandidateChallenge], cohort: Cohort, by) -> list[Challenge]:
    """Turn scored candidates into challenges of a draft cohort, all or none.

    Each needs what a challenge cannot do without (lead entity, metric, baseline, a different
    target); the missing pieces of every candidate are reported together.
    """
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if locked.status != Cohort.Status.DRAFT:
        raise ValidationError(_("Candidates can only be picked into a draft cohort."))
    taken = set(Challenge.objects.filter(cohort=cohort).values_list("title", flat=True))
    problems = []
    for candidate in candidates:
        missing = []
        if candidate.accelerator_id != cohort.accelerator_id:
            missing.append(_("belongs to another accelerator"))
        if candidate.is_picked:
            missing.append(_("already picked"))
        if candidate.lead_entity_id is None:
            missing.append(_("lead entity"))
        if not candidate.metric:
            missing.append(_("metric"))
        if candidate.baseline_value is None:
            missing.append(_("baseline"))
        if candidate.target_value is None or candidate.target_value == candidate.baseline_value:
            missing.append(_("a target different from the baseline"))
        if candidate.title in taken:
            missing.append(_("a title not yet used in the cohort"))
        if missing:
            problems.append(
                _("“%(title)s” needs: %(missing)s.") % {"title": candidate.title, "missing": ", ".join(missing)}
            )
    if problems:
        raise ValidationError(problems)
    created = []
    for candidate in candidates:
        direction = candidate.direction or (
            Direction.INCREASE if candidate.target_value > candidate.baseline_value else Direction.DECREASE
        )
        challenge = Challenge(
            cohort=cohort,
            title=candidate.title,
            goal_statement=candidate.diagnosis_note,
            lead_entity_id=candidate.lead_entity_id,
            metric=candidate.metric,
            unit=candidate.unit,
            direction=direction,
            baseline_value=candidate.baseline_value,
            baseline_period=candidate.baseline_period,
            target_value=candidate.target_value,
        )
        try:
            challenge.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _("“%(title)s”: %(errors)s")
                % {"title": candidate.title, "errors": " ".join(m for ms in error.message_dict.values() for m in ms)}
            ) from None
        challenge.save()
        candidate.challenge = challenge
        candidate.cohort = cohort
        candidate._history_user = by
        candidate.save(update_fields=["challenge", "cohort"])
        created.append(challenge)
    return created


UNFINISHED = ~Q(status__in=[Status.ACHIEVED, Status.SUSTAINED])


@transaction.atomic
def cohort_clone(
    *, source: Cohort, number: int, name: str, design_start: date, launch_date: date, by
) -> tuple[Cohort, int]:
    """A new draft with the past cohort's settings, its unfinished challenges proposed as candidates.

    Returns the draft and how many candidates were added (a title already open on the list is kept
    as it is rather than duplicated).
    """
    cohort = cohort_create(
        accelerator=source.accelerator, number=number, name=name, design_start=design_start, launch_date=launch_date
    )
    cohort.sustainment_days = source.sustainment_days
    cohort.save(update_fields=["sustainment_days"])
    unfinished = source.challenges.filter(UNFINISHED).select_related("lead_entity")
    open_titles = set(
        CandidateChallenge.objects.filter(accelerator=source.accelerator, challenge__isnull=True).values_list(
            "title", flat=True
        )
    )
    candidates = [
        CandidateChallenge(
            accelerator=source.accelerator,
            cohort=cohort,
            title=challenge.title,
            lead_entity=challenge.lead_entity,
            diagnosis_note=challenge.goal_statement,
            metric=challenge.metric,
            unit=challenge.unit,
            direction=challenge.direction,
            baseline_value=challenge.baseline_value,
            baseline_period=challenge.baseline_period,
            target_value=challenge.target_value,
            source_challenge=challenge,
            created_by=by,
        )
        for challenge in unfinished
        if challenge.title not in open_titles
    ]
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(candidates, CandidateChallenge, default_user=by)
    return cohort, len(candidates)


# --- Teams ------------------------------------------------------------------------------------


def _refuse_if_launched(cohort: Cohort) -> None:
    if cohort.is_launched:
        raise ValidationError(
            _("The cohort has been launched: change it through withdrawing a challenge or replacing a team lead.")
        )


@transaction.atomic
def challenge_seat_add(*, challenge: Challenge, user, role: str, by) -> Membership:
    """Seat a person on a draft cohort's challenge; a new team lead takes the place of the old one."""
    _refuse_if_launched(challenge.cohort)
    if role == Membership.Role.TEAM_LEAD:
        for seat in Membership.objects.filter(challenge=challenge, role=role).exclude(user=user):
            seat._history_user = by
            seat.delete()
    seat, created = Membership.objects.get_or_create(challenge=challenge, user=user, role=role)
    return seat


@transaction.atomic
def challenge_seat_remove(*, seat: Membership, by) -> None:
    _refuse_if_launched(seat.challenge.cohort)
    seat._history_user = by
    seat.delete()


@transaction.atomic
def challenge_replace_team_lead(*, challenge: Challenge, user, by, reason: str = "") -> Membership:
    """After launch, the one way to change who leads a challenge; the seat history keeps who and why.

    The new team lead is told on commit (with a link to set a password if they were invited).
    """
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if locked.is_withdrawn:
        raise ValidationError(_("This challenge has been withdrawn."))
    reason = (reason or "").strip()
    for seat in Membership.objects.filter(challenge=locked, role=Membership.Role.TEAM_LEAD):
        if seat.user_id == user.pk:
            raise ValidationError(_("This person already leads the challenge."))
        seat._history_user = by
        seat._change_reason = reason
        seat.delete()
    seat = Membership(challenge=locked, user=user, role=Membership.Role.TEAM_LEAD)
    seat._history_user = by
    seat._change_reason = reason
    seat.save()
    if challenge.cohort.is_launched:
        invitation_ids = list(
            Invitation.objects.filter(
                user=user, accelerator_id=challenge.cohort.accelerator_id, accepted_at__isnull=True
            ).values_list("id", flat=True)
        )
        transaction.on_commit(lambda: _queue_launch_messages(challenge.cohort_id, [seat.pk], invitation_ids))
    return seat


# --- Review and launch ------------------------------------------------------------------------


@dataclass
class ChecklistItem:
    challenge: Challenge | None
    missing: list[str]


def cohort_launch_checklist(*, cohort: Cohort, today: date | None = None) -> list[ChecklistItem]:
    """What still stands between the cohort and its launch; empty when it may launch.

    Two queries whatever the number of challenges: the seats are checked with annotations.
    """
    today = today or cohort.accelerator.local_today()
    items = []
    dates = []
    if cohort.design_start > cohort.launch_date:
        dates.append(_("the design start must be on or before the launch day"))
    if not cohort.is_launched and cohort.launch_date < today:
        dates.append(
            _("the launch day (%(date)s) has passed; move it to today or later") % {"date": cohort.launch_date}
        )
    seats = Membership.objects.filter(challenge=OuterRef("pk"))
    challenges = list(
        cohort.challenges.filter(withdrawn_at__isnull=True)
        .annotate(
            has_team_lead=Exists(seats.filter(role=Membership.Role.TEAM_LEAD)),
            has_coach=Exists(seats.filter(role=Membership.Role.COACH)),
            has_sponsor=Exists(seats.filter(role=Membership.Role.SPONSOR)),
        )
        .order_by("title")
    )
    if not challenges:
        dates.append(_("the cohort has no challenges yet"))
    if dates:
        items.append(ChecklistItem(challenge=None, missing=dates))
    for challenge in challenges:
        missing = []
        if not challenge.has_team_lead:
            missing.append(_("team lead"))
        if not challenge.has_coach:
            missing.append(_("coach"))
        if not challenge.has_sponsor:
            missing.append(_("sponsor"))
        if not challenge.metric.strip():
            missing.append(_("metric"))
        if challenge.baseline_value is None:
            missing.append(_("baseline"))
        if challenge.target_value is None or challenge.target_value == challenge.baseline_value:
            missing.append(_("target"))
        if missing:
            items.append(ChecklistItem(challenge=challenge, missing=missing))
    return items


class LaunchBlocked(ValidationError):
    def __init__(self, items: list[ChecklistItem]):
        super().__init__(_("The cohort cannot be launched yet."))
        self.items = items


@transaction.atomic
def cohort_launch(*, cohort: Cohort, by) -> bool:
    """Launch a draft whose checklist is clear; returns whether this call launched it.

    The launch itself is a conditional UPDATE, so a double submit launches once; only the call
    that launched queues the invitations and team-lead e-mails and hands the cohort to the clock,
    all on commit.
    """
    locked = Cohort.objects.select_for_update().select_related("accelerator").get(pk=cohort.pk)
    if locked.is_launched:
        cohort.refresh_from_db()
        return False
    items = cohort_launch_checklist(cohort=locked)
    if items:
        raise LaunchBlocked(items)
    launched = cohort_mark_launched(cohort=cohort, by=by)
    if launched:
        accelerator_id = cohort.accelerator_id
        transaction.on_commit(lambda: _queue_launch_messages(cohort.pk, None, None))
        transaction.on_commit(lambda: clock_tick(accelerator_ids=[accelerator_id], cohort_ids=[cohort.pk]))
    return launched


def _queue_launch_messages(cohort_id: int, seat_ids: list[int] | None, invitation_ids: list[int] | None) -> None:
    from .tasks import send_launch_messages

    send_launch_messages.delay(cohort_id, seat_ids=seat_ids, invitation_ids=invitation_ids)


def cohort_send_launch_messages(
    *, cohort_id: int, seat_ids: list[int] | None = None, invitation_ids: list[int] | None = None
) -> int:
    """E-mail the launched cohort's invitations that were never sent, and each team lead.

    With ``seat_ids``/``invitation_ids`` (a team lead replaced after launch) only those. Each
    invitation is claimed with a conditional UPDATE so a redelivered task does not send it twice.
    """
    from .invitations import invitation_send_now

    cohort = Cohort.objects.select_related("accelerator").get(pk=cohort_id)
    if invitation_ids is None:
        people = Membership.objects.filter(challenge__cohort=cohort).values("user_id")
        invitation_ids = list(
            Invitation.objects.filter(
                accelerator_id=cohort.accelerator_id, user_id__in=people, sent_at__isnull=True, accepted_at__isnull=True
            ).values_list("id", flat=True)
        )
    sent = invitation_send_now(invitation_ids=invitation_ids) if invitation_ids else 0
    leads = Membership.objects.filter(challenge__cohort=cohort, role=Membership.Role.TEAM_LEAD).select_related(
        "user", "challenge"
    )
    if seat_ids is not None:
        leads = leads.filter(pk__in=seat_ids)
    items_by_user: dict = {}
    for seat in leads:
        items_by_user.setdefault(seat.user, []).append(
            {"challenge": seat.challenge, "accelerator": cohort.accelerator, "url": challenge_url(seat.challenge_id)}
        )
    notifications = []
    for user, items in items_by_user.items():
        with translation.override(reader_language(user, cohort.accelerator)):
            for item in items:
                message = render_to_string("cohorts/email/team_lead_line.txt", {**item, "cohort": cohort}).strip()
                notifications.append(Notification(user=user, challenge=item["challenge"], message=message))
    Notification.objects.bulk_create(notifications)
    sent += send_to_people(
        items_by_user=items_by_user,
        subject_template="cohorts/email/team_lead_subject.txt",
        body_template="cohorts/email/team_lead_body.txt",
        context={"cohort": cohort},
    )
    return sent
