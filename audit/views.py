"""History pages: who changed what and when, for program admins of the object's accelerator."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accelerators.access_policy import ADMIN_PAGE, access
from audit import history as audit
from challenges.models import Challenge
from members.access import accelerators_visible_to, get_accelerator_for_admin, get_cohort_for_admin, is_program_admin


def _get_challenge_for_admin(user, pk: int) -> Challenge:
    """404 unless the challenge's accelerator is visible; 403 unless the user administers it."""
    challenge = Challenge.objects.select_related("cohort__accelerator").filter(pk=pk).first()
    if challenge is None or not accelerators_visible_to(user).filter(pk=challenge.cohort.accelerator_id).exists():
        raise Http404
    if not is_program_admin(user, challenge.cohort.accelerator_id):
        raise PermissionDenied
    return challenge


@access(ADMIN_PAGE)
@require_GET
@login_required
def challenge_history(request, challenge_id: int):
    challenge = _get_challenge_for_admin(request.user, challenge_id)
    context = {
        "subject": challenge,
        "subject_kind": "challenge",
        "accelerator": challenge.cohort.accelerator,
        "theme_accelerator": challenge.cohort.accelerator,
        "entries": audit.challenge_history(challenge),
    }
    return render(request, "audit/history.html", context)


@access(ADMIN_PAGE)
@require_GET
@login_required
def cohort_history(request, cohort_id: int):
    cohort = get_cohort_for_admin(request.user, cohort_id)
    context = {
        "subject": cohort,
        "subject_kind": "cohort",
        "accelerator": cohort.accelerator,
        "theme_accelerator": cohort.accelerator,
        "entries": audit.cohort_history(cohort),
    }
    return render(request, "audit/history.html", context)


@access(ADMIN_PAGE)
@require_GET
@login_required
def accelerator_history(request, slug: str):
    accelerator = get_accelerator_for_admin(request.user, slug)
    context = {
        "subject": accelerator,
        "subject_kind": "accelerator",
        "accelerator": accelerator,
        "theme_accelerator": accelerator,
        "entries": audit.accelerator_history(accelerator),
    }
    return render(request, "audit/history.html", context)
