"""Telling people what happened: an in-app notification plus an e-mail, in each reader's language."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from .models import Membership, Notification, PhaseTransition

PHASE_CHANGE_ROLES = [Membership.Role.TEAM_LEAD, Membership.Role.COACH, Membership.Role.SPONSOR]


def reader_language(user, accelerator=None) -> str:
    return user.preferred_language or (accelerator.default_language if accelerator else settings.LANGUAGE_CODE)


def challenge_url(challenge_id: int) -> str:
    try:
        return settings.SITE_URL + reverse("challenge_detail", args=[challenge_id])
    except NoReverseMatch:
        return settings.SITE_URL


def send_to_people(
    *, items_by_user: dict, subject_template: str, body_template: str, context: dict | None = None
) -> int:
    """Send one e-mail per person, rendered in that person's language, over one connection."""
    messages = []
    for user, items in items_by_user.items():
        if not user.email or not user.is_active:
            continue
        accelerator = items[0].get("accelerator") if items else None
        with translation.override(reader_language(user, accelerator)):
            ctx = {"user": user, "items": items, **(context or {})}
            subject = render_to_string(subject_template, ctx).strip()
            body = render_to_string(body_template, ctx)
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def notify_phase_changes(*, transition_ids: list[int]) -> int:
    """Tell each challenge's team lead, coach and sponsor which phase it entered."""
    transitions = list(
        PhaseTransition.objects.filter(id__in=transition_ids).select_related("challenge__cohort__accelerator")
    )
    by_challenge = defaultdict(list)
    for transition in transitions:
        by_challenge[transition.challenge_id].append(transition)
    seats = Membership.objects.filter(challenge_id__in=by_challenge, role__in=PHASE_CHANGE_ROLES).select_related("user")
    items_by_user = defaultdict(list)
    for seat in seats:
        for transition in by_challenge[seat.challenge_id]:
            items_by_user[seat.user].append(
                {
                    "challenge": transition.challenge,
                    "transition": transition,
                    "accelerator": transition.challenge.cohort.accelerator,
                    "url": challenge_url(transition.challenge_id),
                }
            )
    notifications = []
    for user, items in items_by_user.items():
        with translation.override(reader_language(user, items[0]["accelerator"])):
            for item in items:
                message = render_to_string("challenges/email/phase_changed_line.txt", item).strip()
                notifications.append(Notification(user=user, challenge=item["challenge"], message=message))
    with transaction.atomic():
        Notification.objects.bulk_create(notifications)
    return send_to_people(
        items_by_user=items_by_user,
        subject_template="challenges/email/phase_changed_subject.txt",
        body_template="challenges/email/phase_changed_body.txt",
    )
