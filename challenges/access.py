"""Finding a challenge for the person asking: the rules of ``members.access`` applied to challenges.

``CHALLENGE_READER`` and ``CHALLENGE_WRITER`` serve the challenge page and its forms;
``CHALLENGE_ADMIN`` the program admin's pages about one challenge.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from members.access import can_post_progress, challenge_visibility, get_cohort_for_admin
from members.policy import Scope

from .models import Challenge, Notification


def challenges_visible_to(user) -> QuerySet[Challenge]:
    if not user.is_authenticated:
        return Challenge.objects.none()
    return Challenge.objects.filter(challenge_visibility(user))


def get_challenge_for_user(user, pk: int, *, write: bool = False) -> Challenge:
    """404 if the challenge is not visible to ``user``; 403 if ``write`` and they may only read."""
    challenge = challenges_visible_to(user).select_related("cohort__accelerator", "lead_entity").filter(pk=pk).first()
    if challenge is None:
        raise Http404
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


def get_notification_for_user(user, pk: int) -> Notification:
    """A person's own notification; anybody else's is not found (404), whoever asks."""
    notification = Notification.objects.filter(pk=pk, user_id=user.pk).first()
    if notification is None:
        raise Http404
    return notification


NOTIFICATION_OWN = Scope("notification_id", "notification", get_notification_for_user)
