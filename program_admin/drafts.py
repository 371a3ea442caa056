"""Fixing what was put together: delete a draft cohort, challenge or candidate; correct a launched
challenge's goal and team. Typed, keyword-only, atomic; every write is saved so the history records
who did it (``audit.history``).

Edits carry the ``updated_at`` the form showed (``cohorts.services.edit_token``): a row changed
since is never overwritten. After launch, moving the baseline or the target changes what progress
means, so it needs a reason, kept on the history record and shown on the challenge's chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from challenges.models import Challenge
from cohorts.models import Cohort
from cohorts.services import edit_token
from core.tasking import enqueue_on_commit
from members.invitations import invitation_create
from members.models import Membership

from .models import CandidateChallenge

# The fields a program admin may correct after launch (the wording, the unit, the goal's numbers).
CORRECTABLE_FIELDS = (
    "title",
    "goal_statement",
    "lead_entity",
    "metric",
    "unit",
    "unit_kind",
    "baseline_value",
    "baseline_period",
    "target_value",
)
GOAL_NUMBERS = ("baseline_value", "target_value")
CORRECTABLE_ROLES = (Membership.Role.COACH, Membership.Role.SPONSOR)


class StaleEdit(ValidationError):
    """Someone else saved first: this change was not applied."""


def _refuse_launched(cohort: Cohort, message: str) -> Cohort:
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if locked.is_launched:
        raise ValidationError(message)
    return locked


@transaction.atomic
def cohort_delete_draft(*, cohort: Cohort, by) -> int:
    """Delete a draft cohort with its challenges, seats and uploads; returns how many challenges went.

    Its candidates go back on the initial challenge list. A launched cohort is never deleted.
    """
    locked = _refuse_launched(cohort, _("A launched cohort cannot be deleted; withdraw its challenges instead."))
    count = locked.challenges.count()
    _release_candidates(CandidateChallenge.objects.filter(challenge__cohort=locked))
    CandidateChallenge.objects.filter(cohort=locked).update(cohort=None)
    locked._history_user = by
    locked.delete()
    return count


@transaction.atomic
def challenge_delete_draft(*, challenge: Challenge, by) -> None:
    """Delete a challenge of a draft cohort; the candidate it was picked from goes back on the list."""
    _refuse_launched(challenge.cohort, _("The cohort has been launched: withdraw the challenge instead."))
    _release_candidates(CandidateChallenge.objects.filter(challenge=challenge))
    challenge._history_user = by
    challenge.delete()


def _release_candidates(candidates) -> None:
    """Put picked candidates back on the list (open again), unless an open one already has the title."""
    for candidate in candidates:
        candidate.challenge = None
        try:
            with transaction.atomic():
                candidate.save(update_fields=["challenge"])
        except IntegrityError:
            # The list already has an open candidate of that title: this copy is not needed.
            candidate.delete()


@transaction.atomic
def candidate_delete(*, candidate: CandidateChallenge, by) -> None:
    """Take a candidate off the initial challenge list. One already picked stays: it is a challenge's record."""
    locked = CandidateChallenge.objects.select_for_update().get(pk=candidate.pk)
    if locked.is_picked:
        raise ValidationError(_("This candidate became a challenge; delete the challenge from its draft cohort first."))
    locked._history_user = by
    locked.delete()


# --- Correcting a launched challenge --------------------------------------------------------------


@dataclass
class Correction:
    """What a correction changed."""

    fields: list[str] = field(default_factory=list)
    partners_changed: bool = False
    seats: list[str] = field(default_factory=list)  # the roles re-seated
    goal_moved: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.partners_changed or self.seats)


def goal_moves(*, challenge: Challenge, values: dict) -> bool:
    """Whether ``values`` move the goal's baseline or target (what needs a reason after launch)."""
    return any(name in values and Decimal(values[name]) != getattr(challenge, name) for name in GOAL_NUMBERS)


@transaction.atomic
def challenge_correct(
    *,
    challenge: Challenge,
    by,
    token: str,
    values: dict,
    partners: list,
    seats: dict[str, str] | None = None,
    reason: str = "",
) -> Correction:
    """Correct a challenge's wording, unit, goal, partner entities, coach and sponsor.

    ``values`` holds ``CORRECTABLE_FIELDS`` as the form cleaned them (the goal's rules already
    checked); ``seats`` maps a role (coach, sponsor) to the e-mail address of who should hold it:
    a person the accelerator knows is seated, anyone else is invited (told at once if the cohort
    runs). Refused when the challenge changed since the form was shown, when it is withdrawn, and,
    after launch, when the baseline or target moves without a reason.
    """
    locked = Challenge.objects.select_for_update().select_related("cohort__accelerator").get(pk=challenge.pk)
    if locked.is_withdrawn:
        raise ValidationError(_("This challenge has been withdrawn; it can no longer be corrected."))
    if edit_token(locked.updated_at) != token:
        raise StaleEdit(
            _(
                "Someone else changed this challenge after you opened the form. Nothing was saved; "
                "the current values are shown."
            )
        )
    reason = (reason or "").strip()
    outcome = Correction(goal_moved=goal_moves(challenge=locked, values=values))
    if outcome.goal_moved and locked.cohort.is_launched and not reason:
        raise ValidationError(
            {"reason": _("The baseline or the target changed after launch: say why (it is kept in the history).")}
        )
    outcome.fields = [name for name in CORRECTABLE_FIELDS if name in values and getattr(locked, name) != values[name]]
    before = sorted(str(entity) for entity in locked.partner_entities.all())
    after = sorted(str(entity) for entity in partners)
    outcome.partners_changed = before != after
    note = reason
    if outcome.partners_changed:
        # The partner list is a many-to-many the history does not diff: say it in the record's reason.
        note = " · ".join(
            filter(
                None,
                [
                    reason,
                    _("Partner entities: %(before)s → %(after)s")
                    % {"before": ", ".join(before) or "—", "after": ", ".join(after) or "—"},
                ],
            )
        )
    for name in outcome.fields:
        setattr(locked, name, values[name])
    if outcome.fields or outcome.partners_changed:
        locked._history_user = by
        locked._change_reason = note[:100]
        locked.save(update_fields=[*outcome.fields, "updated_at"])
    if outcome.partners_changed:
        locked.partner_entities.set(partners)
    for role, email in (seats or {}).items():
        if _reseat(challenge=locked, role=role, email=email, by=by, reason=reason):
            outcome.seats.append(role)
    challenge.refresh_from_db()
    return outcome


def _reseat(*, challenge: Challenge, role: str, email: str, by, reason: str) -> bool:
    """Give ``role`` (coach or sponsor) to the person with ``email``; returns whether the seat changed."""
    if role not in CORRECTABLE_ROLES:
        raise ValueError(role)
    email = (email or "").strip().lower()
    current = list(Membership.objects.filter(challenge=challenge, role=role).select_related("user"))
    if not email or [seat.user.email.lower() for seat in current] == [email]:
        return False
    invitation = invitation_create(accelerator=challenge.cohort.accelerator, email=email, by=by)
    person = invitation.user
    for seat in current:
        if seat.user_id != person.pk:
            seat._history_user, seat._change_reason = by, reason[:100]
            seat.delete()
    seat, created = Membership.objects.get_or_create(challenge=challenge, user=person, role=role)
    if created:
        seat._history_user = by
    if created and challenge.cohort.is_launched:
        # After launch the new coach or sponsor is told now (their invitation, if they have one open).
        enqueue_on_commit(
            "program_admin.tasks.send_launch_messages",
            challenge.cohort_id,
            seat_ids=[seat.pk],
            invitation_ids=[invitation.pk] if invitation.accepted_at is None else [],
        )
    return True
