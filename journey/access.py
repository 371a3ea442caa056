"""Finding a challenge for a journey write: readers of it, narrowed to those who write some artifact."""

from django.core.exceptions import PermissionDenied

from challenges.access import get_challenge_for_user
from members.access import is_program_admin
from members.models import Membership
from members.policy import Scope

from .artifacts import SPECS

WRITING_ROLES = {role for spec in SPECS.values() for role in spec.owners}


def get_challenge_for_writer(user, pk: int):
    """404 outside what ``user`` sees; 403 unless they own some artifact of the journey."""
    challenge = get_challenge_for_user(user, pk)
    if user.is_superuser:
        return challenge
    if Membership.objects.filter(challenge=challenge, user=user, role__in=WRITING_ROLES).exists():
        return challenge
    if any(spec.admins_write for spec in SPECS.values()) and is_program_admin(user, challenge.cohort.accelerator_id):
        return challenge
    raise PermissionDenied


def get_challenge_for_signer(user, pk: int):
    """404 outside what ``user`` sees; 403 unless they are one of its sponsors."""
    challenge = get_challenge_for_user(user, pk)
    if not Membership.objects.filter(challenge=challenge, user=user, role=Membership.Role.SPONSOR).exists():
        raise PermissionDenied
    return challenge


JOURNEY_WRITER = Scope("challenge_id", "challenge", get_challenge_for_writer)
PLEDGE_SIGNER = Scope("challenge_id", "challenge", get_challenge_for_signer)
