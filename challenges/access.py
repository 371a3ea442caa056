"""Finding a challenge for the person asking: the rules of ``members.access`` applied to challenges.

``CHALLENGE_READER`` and ``CHALLENGE_WRITER`` serve the challenge page and its forms;
``CHALLENGE_ADMIN`` the program admin's pages about one challenge.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cohorts.models import Cohort
from members.access import (
    can_post_progress,
    can_read_challenge,
    can_read_cohort,
    challenge_visibility,
    get_cohort_for_admin,
)
from members.models import AcceleratorRole, Membership
from members.policy import Scope

from .models import Challenge, Notification


def challenges_visible_to(user) -> QuerySet[Challenge]:
    if not user.is_authenticated:
        return Challenge.objects.none()
    return Challenge.objects.filter(challenge_visibility(user))


def get_challenge_for_user(user, pk: int, *, write: bool = False) -> Challenge:
    """404 if the challenge is not visible to ``user``; 403 if ``write`` and they may only read.
    Two small statements: the challenge, then the rule for it (``can_read_challenge``, which keeps the
    reader's seats on it, so ``can_post_progress`` asks nothing more)."""
    found = list(Challenge.objects.select_related("cohort__accelerator", "lead_entity").filter(pk=pk)[:1])
    if not found or not can_read_challenge(user, found[0]):
        raise Http404
    challenge = found[0]
    if write and not can_post_progress(user, challenge):
        raise PermissionDenied
    return challenge


def get_challenge_for_admin(user, pk: int) -> Challenge:
    """404 unless the challenge's accelerator is visible; 403 unless the user administers it."""
    challenge = Challenge.objects.select_related("lead_entity").filter(pk=pk).first()
    if challenge is None:
        raise Http404
    challenge.cohort = get_cohort_for_admin(user, challenge.cohort_id)
    return challenge


CHALLENGE_READER = Scope("challenge_id", "challenge", get_challenge_for_user)
CHALLENGE_WRITER = Scope("challenge_id", "challenge", lambda user, pk: get_challenge_for_user(user, pk, write=True))
CHALLENGE_ADMIN = Scope("challenge_id", "challenge", get_challenge_for_admin)


# --- The simulation page: program admins, and coaches of a launched cohort -------------------------


def cohorts_simulable_by(user) -> QuerySet[Cohort]:
    """Cohorts ``user`` may watch in the simulation: an accelerator's program admins (drafts too),
    its coaches (an accelerator-wide coach grant or a coach seat in the cohort) once it is launched."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if user.is_superuser:
        return Cohort.objects.all()
    admin = AcceleratorRole.objects.filter(
        user=user, accelerator=OuterRef("accelerator"), cohort__isnull=True, role=AcceleratorRole.Role.PROGRAM_ADMIN
    )
    coach_grant = AcceleratorRole.objects.filter(
        user=user, accelerator=OuterRef("accelerator"), cohort__isnull=True, role=AcceleratorRole.Role.COACH
    )
    coach_seat = Membership.objects.filter(user=user, challenge__cohort=OuterRef("pk"), role=Membership.Role.COACH)
    coaching = Q(status=Cohort.Status.LAUNCHED) & (Q(Exists(coach_grant)) | Q(Exists(coach_seat)))
    return Cohort.objects.filter(Q(Exists(admin)) | coaching)


def get_cohort_for_simulation(user, pk: int) -> Cohort:
    """404 outside what the person may see of the cohort; 403 for a reader (an official) who may not simulate."""
    cohort = cohorts_simulable_by(user).select_related("accelerator").filter(pk=pk).first()
    if cohort is not None:
        return cohort
    found = Cohort.objects.select_related("accelerator").filter(pk=pk).first()
    if found is not None and can_read_cohort(user, found):
        raise PermissionDenied
    raise Http404


COHORT_SIMULATOR = Scope("cohort_id", "cohort", get_cohort_for_simulation)


def get_notification_for_user(user, pk: int) -> Notification:
    """A person's own notification; anybody else's is not found (404), whoever asks."""
    notification = Notification.objects.filter(pk=pk, user_id=user.pk).first()
    if notification is None:
        raise Http404
    return notification


NOTIFICATION_OWN = Scope("notification_id", "notification", get_notification_for_user)
