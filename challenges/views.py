"""Challenge pages. Thin: find the object for this user, call a service, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accelerators.access_policy import CHALLENGE_READ, SIGNED_IN_PAGE, access
from cohorts.access import get_challenge_for_user

from .models import Notification


@access(CHALLENGE_READ)
@require_GET
@login_required
def challenge_detail(request, challenge_id: int):
    challenge = get_challenge_for_user(request.user, challenge_id)
    context = {
        "challenge": challenge,
        "theme_accelerator": challenge.cohort.accelerator,
        "memberships": challenge.memberships.select_related("user").order_by("role"),
        "stations": challenge.stations.all(),
        "transitions": challenge.transitions.all(),
    }
    return render(request, "challenges/challenge_detail.html", context)


@access(SIGNED_IN_PAGE)
@require_GET
@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user).select_related("challenge")[:100]
    return render(request, "challenges/notification_list.html", {"notifications": notifications})
