"""History pages: who changed what and when, for program admins of the object's accelerator."""

from django.shortcuts import render

from audit import history as audit
from challenges.access import CHALLENGE_ADMIN
from members.access import ACCELERATOR_ADMIN, COHORT_ADMIN
from members.policy import ADMIN_PAGE, access


@access(ADMIN_PAGE, CHALLENGE_ADMIN)
def challenge_history(request, challenge):
    context = {
        "subject": challenge,
        "subject_kind": "challenge",
        "accelerator": challenge.cohort.accelerator,
        "theme_accelerator": challenge.cohort.accelerator,
        "entries": audit.challenge_history(challenge),
    }
    return render(request, "audit/history.html", context)


@access(ADMIN_PAGE, COHORT_ADMIN)
def cohort_history(request, cohort):
    context = {
        "subject": cohort,
        "subject_kind": "cohort",
        "accelerator": cohort.accelerator,
        "theme_accelerator": cohort.accelerator,
        "entries": audit.cohort_history(cohort),
    }
    return render(request, "audit/history.html", context)


@access(ADMIN_PAGE, ACCELERATOR_ADMIN)
def accelerator_history(request, accelerator):
    context = {
        "subject": accelerator,
        "subject_kind": "accelerator",
        "accelerator": accelerator,
        "theme_accelerator": accelerator,
        "entries": audit.accelerator_history(accelerator),
    }
    return render(request, "audit/history.html", context)
