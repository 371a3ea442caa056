"""Writes to team seats go through here: typed, keyword-only, atomic."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cohorts.models import Cohort

from .invitations import invitation_create
from .models import Membership


def refuse_if_launched(cohort: Cohort) -> None:
    if cohort.is_launched:
        raise ValidationError(
            _("The cohort has been launched: change it through withdrawing a challenge or replacing a team lead.")
        )


@transaction.atomic
def challenge_seat_add(*, challenge, user, role: str, by) -> Membership:
    """Seat a person on a draft cohort's challenge; a new team lead takes the place of the old one."""
    refuse_if_launched(challenge.cohort)
    if role == Membership.Role.TEAM_LEAD:
        for seat in Membership.objects.filter(challenge=challenge, role=role).exclude(user=user):
            seat._history_user = by
            seat.delete()
    seat, created = Membership.objects.get_or_create(challenge=challenge, user=user, role=role)
    return seat


@transaction.atomic
def challenge_seat_remove(*, seat: Membership, by) -> None:
    refuse_if_launched(seat.challenge.cohort)
    seat._history_user = by
    seat.delete()


@transaction.atomic
def challenge_seat_invite(*, challenge, email: str, full_name: str, role: str, by) -> Membership:
    """Invite a person by e-mail and seat them; the invitation goes out when the cohort launches."""
    refuse_if_launched(challenge.cohort)
    invitation = invitation_create(accelerator=challenge.cohort.accelerator, email=email, full_name=full_name, by=by)
    return challenge_seat_add(challenge=challenge, user=invitation.user, role=role, by=by)
