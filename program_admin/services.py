"""The program team's work across the three apps: a new accelerator, intake, clone, team lead
replacement, the launch checklist and the launch. Typed, keyword-only, atomic."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from challenges import goals
from challenges.goals import goal_problem, implied_direction
from challenges.models import Challenge, Notification, Status
from challenges.notifications import challenge_url, send_to_people
from challenges.services import accelerator_install_default_stations
from cohorts.models import Accelerator, Cohort
from cohorts.services import cohort_create, cohort_mark_launched
from core.l10n import join_list
from core.tasking import enqueue_on_commit
from members.models import Invitation, Membership

from .models import CandidateChallenge


@transaction.atomic
def accelerator_create(**fields) -> Accelerator:
    accelerator = Accelerator(**fields)
    accelerator.full_clean()
    accelerator.save()
    accelerator_install_default_stations(accelerator=accelerator)
    return accelerator


# --- Intake: the initial challenge list -------------------------------------------------------


def _candidate_gaps(candidate: CandidateChallenge, *, cohort: Cohort, taken: set[str]) -> list[str]:
    """What a candidate still lacks to become a challenge of ``cohort`` (empty when nothing)."""
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
    problem = None
    if candidate.baseline_value is not None and candidate.target_value is not None:
        problem = goal_problem(
            direction=candidate.direction,
            baseline=candidate.baseline_value,
            target=candidate.target_value,
            unit_kind=candidate.unit_kind,
            lower_bound=candidate.lower_bound,
            upper_bound=candidate.upper_bound,
        )
    if candidate.target_value is None or problem == goals.SAME:
        missing.append(_("a target different from the baseline"))
    elif problem in (goals.OUTSIDE_RANGE, goals.BOUNDS_CROSSED):
        missing.append(_("a baseline and a target inside the goal's valid range"))
    elif problem:
        missing.append(_("a target in the goal's direction"))
    if candidate.title in taken:
        missing.append(_("a title not yet used in the cohort"))
    return missing


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
        missing = _candidate_gaps(candidate, cohort=cohort, taken=taken)
        if missing:
            problems.append(
                _("“%(title)s” needs: %(missing)s.") % {"title": candidate.title, "missing": join_list(missing)}
            )
    if problems:
        raise ValidationError(problems)
    created = []
    for candidate in candidates:
        direction = candidate.direction or implied_direction(
            baseline=candidate.baseline_value, target=candidate.target_value
        )
        challenge = Challenge(
            cohort=cohort,
            title=candidate.title,
            goal_statement=candidate.diagnosis_note,
            lead_entity_id=candidate.lead_entity_id,
            metric=candidate.metric,
            unit=candidate.unit,
            unit_kind=candidate.unit_kind,
            lower_bound=candidate.lower_bound,
            upper_bound=candidate.upper_bound,
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
            unit_kind=challenge.unit_kind,
            lower_bound=challenge.lower_bound,
            upper_bound=challenge.upper_bound,
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
        enqueue_on_commit(
            "program_admin.tasks.send_launch_messages",
            challenge.cohort_id,
            seat_ids=[seat.pk],
            invitation_ids=invitation_ids,
        )
    return seat


@transaction.atomic
def cohort_team_save(*, cohort: Cohort, plan, by) -> list:
    """Carry out a cohort team page's plan (``program_admin.team``) in one transaction.

    People not yet on the platform are invited (their e-mails go out at launch); replaced team
    leads and removed seats are kept as ``SeatRemoval`` rows that "Undo" restores. Refused after
    the launch; a seat someone else changed meanwhile raises ``IntegrityError`` or ``SeatGone``
    and nothing is saved. Returns the removals.
    """
    from members.invitations import invitations_create_many
    from members.services import refuse_if_launched, seats_apply

    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    refuse_if_launched(locked)
    invited = invitations_create_many(accelerator=cohort.accelerator, people=plan.invites, by=by)

    def user_id(person) -> int:
        return person.user_id or invited[person.email]

    removals = [(change.seat, None) for change in plan.removals]
    removals += [(change.seat, user_id(change.person)) for change in plan.replacements]
    adds = [(change.challenge.pk, user_id(change.person), change.role) for change in plan.adds + plan.replacements]
    return seats_apply(removals=removals, adds=adds, by=by)


# --- Review and launch ------------------------------------------------------------------------


@dataclass
class ChecklistItem:
    challenge: Challenge | None
    missing: list[str]


def _cohort_gaps(cohort: Cohort, *, today: date, has_challenges: bool) -> list[str]:
    gaps = []
    if cohort.design_start > cohort.launch_date:
        gaps.append(_("the design start must be on or before the launch day"))
    if not cohort.is_launched and cohort.launch_date < today:
        gaps.append(_("the launch day (%(date)s) has passed; move it to today or later") % {"date": cohort.launch_date})
    if not has_challenges:
        gaps.append(_("the cohort has no challenges yet"))
    return gaps


def _challenge_gaps(challenge: Challenge) -> list[str]:
    """A challenge's missing team and goal pieces (its goal's numbers the database already holds valid)."""
    gaps = []
    if not challenge.has_team_lead:
        gaps.append(_("team lead"))
    if not challenge.has_coach:
        gaps.append(_("coach"))
    if not challenge.has_sponsor:
        gaps.append(_("sponsor"))
    if not challenge.metric.strip():
        gaps.append(_("metric"))
    return gaps


def cohort_launch_checklist(*, cohort: Cohort, today: date | None = None) -> list[ChecklistItem]:
    """What still stands between the cohort and its launch; empty when it may launch.

    Two queries whatever the number of challenges: the seats are checked with annotations.
    """
    today = today or cohort.accelerator.local_today()
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
    items = []
    cohort_gaps = _cohort_gaps(cohort, today=today, has_challenges=bool(challenges))
    if cohort_gaps:
        items.append(ChecklistItem(challenge=None, missing=cohort_gaps))
    for challenge in challenges:
        gaps = _challenge_gaps(challenge)
        if gaps:
            items.append(ChecklistItem(challenge=challenge, missing=gaps))
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
        enqueue_on_commit("program_admin.tasks.send_launch_messages", cohort.pk, seat_ids=None, invitation_ids=None)
        enqueue_on_commit("challenges.tasks.advance_clock", [accelerator_id])
    return launched


def cohort_send_launch_messages(
    *, cohort_id: int, seat_ids: list[int] | None = None, invitation_ids: list[int] | None = None
) -> int:
    """E-mail the launched cohort's invitations that were never sent, and each team lead.

    With ``seat_ids``/``invitation_ids`` (a team lead replaced after launch) only those. Each seat
    is claimed first (``launch_notices_claim``): a task delivered twice, or two at once, tells
    nobody twice.
    """
    from members.invitations import invitation_send_now

    cohort = Cohort.objects.select_related("accelerator").get(pk=cohort_id)
    claimed = launch_notices_claim(cohort_id=cohort.pk, seat_ids=seat_ids)
    people = Membership.objects.filter(pk__in=claimed).values("user_id")
    invitations = Invitation.objects.filter(
        accelerator_id=cohort.accelerator_id, user_id__in=people, accepted_at__isnull=True
    )
    if invitation_ids is None:
        invitations = invitations.filter(sent_at__isnull=True)
    else:
        invitations = invitations.filter(pk__in=invitation_ids)
    invitation_ids = list(invitations.values_list("id", flat=True))
    sent = invitation_send_now(invitation_ids=invitation_ids) if invitation_ids else 0
    leads = Membership.objects.filter(pk__in=claimed, role=Membership.Role.TEAM_LEAD).select_related(
        "user", "challenge"
    )
    items_by_user: dict = {}
    for seat in leads:
        items_by_user.setdefault(seat.user, []).append(
            {"challenge": seat.challenge, "accelerator": cohort.accelerator, "url": challenge_url(seat.challenge_id)}
        )
    notifications = []
    for user, items in items_by_user.items():
        with translation.override(user.reading_language(cohort.accelerator)):
            for item in items:
                message = render_to_string("program_admin/email/team_lead_line.txt", {**item, "cohort": cohort}).strip()
                notifications.append(Notification(user=user, challenge=item["challenge"], message=message))
    Notification.objects.bulk_create(notifications)
    sent += send_to_people(
        items_by_user=items_by_user,
        subject_template="program_admin/email/team_lead_subject.txt",
        body_template="program_admin/email/team_lead_body.txt",
        context={"cohort": cohort},
    )
    return sent


def launch_notices_claim(*, cohort_id: int, seat_ids: list[int] | None = None) -> list[int]:
    """Claim the cohort's seats (or only ``seat_ids``) not yet told of the launch; returns the ids claimed.

    One ``INSERT … ON CONFLICT DO NOTHING … RETURNING`` against the unique seat of ``LaunchNotice``:
    whichever run inserts a seat's row sends its messages, every other run skips it.
    """
    from django.db import connection
    from django.utils import timezone

    from core.sql import placeholders

    from .models import LaunchNotice

    challenges = Challenge._meta.db_table
    seats = Membership._meta.db_table
    only = f" AND m.id IN ({placeholders(seat_ids)})" if seat_ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {LaunchNotice._meta.db_table} (seat_id, created_at)
            SELECT m.id, %s FROM {seats} m JOIN {challenges} ch ON ch.id = m.challenge_id
            WHERE ch.cohort_id = %s{only}
            ON CONFLICT (seat_id) DO NOTHING
            RETURNING seat_id
            """,
            [timezone.now(), cohort_id, *(seat_ids or [])],
        )
        return [row[0] for row in cursor.fetchall()]
