"""Copying notifications and weekly digests to Telegram, for people who linked a chat and want them.

Set-based and bounded: each run takes the next batch of notifications (and digests) that have no
Telegram copy yet, for linked people in accelerators with Telegram on, and queues one message for
each; the one-to-one ``notification``/``digest`` column makes a second copy impossible. The text is
the notification's own, already in its reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from challenges.models import Blocker, Notification, SponsorDigestLog
from challenges.notifications import challenge_url
from members.models import Membership

from .config import bot_config
from .models import Link, OutgoingMessage

RELAY_WINDOW = timedelta(days=2)  # older notifications are not sent to a chat linked later
RELAY_BATCH = 1000


def relay_notifications(*, now: datetime | None = None, limit: int = RELAY_BATCH) -> int:
    """Queue a Telegram copy of each new notification; returns how many were queued."""
    if bot_config() is None:
        return 0
    now = now or timezone.now()
    notifications = (
        Notification.objects.filter(
            created_at__gte=now - RELAY_WINDOW,
            telegram_copy__isnull=True,
            user__telegram_link__notify=True,
            user__is_active=True,
            challenge__cohort__accelerator__telegram__enabled=True,
        )
        .select_related("user__telegram_link", "challenge__cohort")
        .order_by("id")[:limit]
    )
    rows = [
        OutgoingMessage(
            key=f"notification:{n.pk}",
            notification=n,
            chat_id=n.user.telegram_link.chat_id,
            user=n.user,
            accelerator_id=n.challenge.cohort.accelerator_id,
            payload={"text": f"{n.message}\n{challenge_url(n.challenge_id)}"[:4096]},
        )
        for n in notifications
    ]
    return len(OutgoingMessage.objects.bulk_create(rows, ignore_conflicts=True))


def relay_digests(*, now: datetime | None = None, limit: int = RELAY_BATCH) -> int:
    """Queue each new weekly sponsor digest for sponsors with a linked chat; returns how many."""
    if bot_config() is None:
        return 0
    now = now or timezone.now()
    digests = list(
        SponsorDigestLog.objects.filter(
            created_at__gte=now - RELAY_WINDOW, telegram_copy__isnull=True, user__telegram_link__notify=True
        )
        .select_related("user__telegram_link")
        .order_by("id")[:limit]
    )
    seats = _sponsor_seats([d.user_id for d in digests])
    rows = []
    for digest in digests:
        own = seats.get(digest.user_id, [])
        if not own:
            continue
        with translation.override(digest.user.reading_language(own[0].challenge.cohort.accelerator)):
            text = _digest_text(digest, own)
        rows.append(
            OutgoingMessage(
                key=f"digest:{digest.pk}",
                digest=digest,
                chat_id=digest.user.telegram_link.chat_id,
                user=digest.user,
                accelerator_id=own[0].challenge.cohort.accelerator_id,
                payload={"text": text[:4096]},
            )
        )
    return len(OutgoingMessage.objects.bulk_create(rows, ignore_conflicts=True))


def _sponsor_seats(user_ids: list[int]) -> dict[int, list[Membership]]:
    seats = (
        Membership.objects.filter(
            user_id__in=user_ids,
            role=Membership.Role.SPONSOR,
            challenge__withdrawn_at=None,
            challenge__cohort__accelerator__telegram__enabled=True,
        )
        .select_related("challenge__cohort__accelerator")
        .annotate(open_blockers=Count("challenge__blockers", filter=Q(challenge__blockers__state=Blocker.State.OPEN)))
        .order_by("challenge__title")
    )
    by_user = defaultdict(list)
    for seat in seats:
        by_user[seat.user_id].append(seat)
    return by_user


def _digest_text(digest: SponsorDigestLog, seats: list[Membership]) -> str:
    lines = [_("Your weekly digest, week of %(date)s") % {"date": digest.week_of.isoformat()}]
    for seat in seats:
        challenge = seat.challenge
        lines.append(
            "• "
            + _("%(title)s: %(status)s, %(progress)s; open blockers: %(blockers)s")
            % {
                "title": challenge.title,
                "status": challenge.get_status_display(),
                "progress": challenge.progress_text,
                "blockers": seat.open_blockers,
            }
        )
        lines.append(challenge_url(challenge.pk))
    return "\n".join(lines)


def linked_people(accelerator) -> int:
    return (
        Link.objects.filter(user__memberships__challenge__cohort__accelerator=accelerator)
        .values("user")
        .distinct()
        .count()
    )
