"""Writes to team seats go through here: typed, keyword-only, atomic.

Seats change only in a draft cohort (after launch, a team lead is replaced through
``program_admin.services.challenge_replace_team_lead``). A new team lead never silently takes an
existing one's place: the caller must say ``replace=True`` after asking the admin. Every seat taken
away is kept as a ``SeatRemoval`` that "Undo" restores within ``SEAT_UNDO_MINUTES``; the seat's own
history (simple-history) records each change with the admin who made it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort

from .invitations import invitation_create
from .models import Membership, SeatRemoval


class TeamLeadTaken(ValidationError):
    """The challenge already has a team lead: replacing them needs the admin's confirmation."""

    def __init__(self, seat: Membership):
        super().__init__(_("%(person)s already leads this challenge; confirm to replace them.") % {"person": seat.user})
        self.seat = seat


def refuse_if_launched(cohort: Cohort) -> None:
    if cohort.is_launched:
        raise ValidationError(
            _("The cohort has been launched: change it through withdrawing a challenge or replacing a team lead.")
        )


def _remove(seat: Membership, *, by, replaced_by_id: int | None = None, reason: str = "") -> SeatRemoval:
    removal = SeatRemoval.objects.create(
        challenge_id=seat.challenge_id,
        user_id=seat.user_id,
        role=seat.role,
        replaced_by_id=replaced_by_id,
        removed_by=by,
    )
    seat._history_user = by
    seat._change_reason = reason
    seat.delete()
    return removal


@transaction.atomic
def challenge_seat_add(*, challenge, user, role: str, by, replace: bool = False) -> Membership:
    """Seat a person on a draft cohort's challenge.

    A second team lead raises ``TeamLeadTaken`` unless ``replace``: then the old team lead's seat
    is removed (and can be restored with "Undo") and the new one takes it.
    """
    refuse_if_launched(challenge.cohort)
    if role == Membership.Role.TEAM_LEAD:
        current = Membership.objects.select_for_update().filter(challenge=challenge, role=role).exclude(user=user)
        for seat in current.select_related("user"):
            if not replace:
                raise TeamLeadTaken(seat)
            _remove(seat, by=by, replaced_by_id=user.pk, reason="replaced")
    seat = Membership.objects.filter(challenge=challenge, user=user, role=role).first()
    if seat is None:
        seat = Membership(challenge=challenge, user=user, role=role)
        seat._history_user = by
        seat.save()
    return seat


@transaction.atomic
def challenge_seat_remove(*, seat: Membership, by) -> SeatRemoval:
    refuse_if_launched(seat.challenge.cohort)
    return _remove(seat, by=by, reason="removed")


@transaction.atomic
def challenge_seat_invite(*, challenge, email: str, full_name: str, role: str, by, replace: bool = False) -> Membership:
    """Invite a person by e-mail and seat them; the invitation goes out when the cohort launches."""
    refuse_if_launched(challenge.cohort)
    invitation = invitation_create(accelerator=challenge.cohort.accelerator, email=email, full_name=full_name, by=by)
    return challenge_seat_add(challenge=challenge, user=invitation.user, role=role, by=by, replace=replace)


def undo_deadline():
    """Removals made after this moment can still be undone."""
    return timezone.now() - timedelta(minutes=settings.SEAT_UNDO_MINUTES)


def undoable_removals(*, cohort_id: int, challenge_id: int | None = None):
    """The seats removed from a cohort's challenges that "Undo" can still restore, newest first."""
    removals = SeatRemoval.objects.filter(
        challenge__cohort_id=cohort_id, restored_at__isnull=True, removed_at__gte=undo_deadline()
    )
    if challenge_id is not None:
        removals = removals.filter(challenge_id=challenge_id)
    return removals.select_related("user", "replaced_by", "challenge").order_by("-removed_at", "-pk")


@transaction.atomic
def seat_removal_undo(*, removal: SeatRemoval, by) -> Membership | None:
    """Put a removed seat back (a replaced team lead takes their place back from their replacement).

    Returns the seat, or None when it was already restored (a double-clicked "Undo"). Refused once
    the undo time is over, after the launch, or when someone other than the replacement leads now.
    """
    challenge = removal.challenge
    refuse_if_launched(challenge.cohort)
    claimed = SeatRemoval.objects.filter(
        pk=removal.pk, restored_at__isnull=True, removed_at__gte=undo_deadline()
    ).update(restored_at=timezone.now())
    if not claimed:
        if SeatRemoval.objects.filter(pk=removal.pk, restored_at__isnull=False).exists():
            return None
        raise ValidationError(_("The time to undo this removal is over; add the person again instead."))
    if removal.role == Membership.Role.TEAM_LEAD:
        for seat in Membership.objects.select_for_update().filter(challenge=challenge, role=removal.role):
            if seat.user_id == removal.user_id:
                return seat
            if seat.user_id != removal.replaced_by_id:
                raise ValidationError(
                    _("%(person)s leads this challenge now; replace them instead.") % {"person": seat.user}
                )
            seat._history_user = by
            seat._change_reason = "undo"
            seat.delete()
    seat = Membership.objects.filter(challenge=challenge, user_id=removal.user_id, role=removal.role).first()
    if seat is None:
        seat = Membership(challenge=challenge, user_id=removal.user_id, role=removal.role)
        seat._history_user = by
        seat._change_reason = "undo"
        seat.save()
    return seat


@transaction.atomic
def seats_apply(
    *, removals: list[tuple[Membership, int | None]], adds: list[tuple[int, int, str]], by
) -> list[SeatRemoval]:
    """Many seat changes at once (the cohort team page): ``removals`` are (seat, the user replacing
    them or None), ``adds`` are (challenge id, user id, role); the caller has checked the cohort is a
    draft and that each team lead replaced was confirmed. Removals first, so a replaced team lead's
    place is free; the adds in one bulk statement. A seat someone else added or removed meanwhile
    makes the unique constraints raise ``IntegrityError``: then nothing is saved.
    """
    from simple_history.utils import bulk_create_with_history

    removed = []
    for seat, replaced_by_id in removals:
        current = Membership.objects.select_for_update().filter(pk=seat.pk).first()
        if current is None:
            raise SeatGone(seat)
        reason = "replaced" if replaced_by_id else "removed"
        removed.append(_remove(current, by=by, replaced_by_id=replaced_by_id, reason=reason))
    seats = [Membership(challenge_id=c, user_id=u, role=r) for c, u, r in dict.fromkeys(adds)]
    bulk_create_with_history(seats, Membership, default_user=by)
    return removed


class SeatGone(Exception):
    """A seat to remove was removed by someone else meanwhile."""

    def __init__(self, seat: Membership):
        super().__init__(f"seat {seat.pk} is gone")
        self.seat = seat
