"""Sending the queued Bot API calls: claimed, sent, and marked sent only once Telegram said ``ok``.

Within Telegram's limits (about 30 messages a second overall, one a second to one chat): the
sender paces itself, and a 429 ("retry after N seconds") puts the rest of the batch back for
later. A network failure or a 5xx is retried with a pause that doubles (30 s up to an hour), at
most ``MAX_ATTEMPTS`` times; then, or at once for a permanent refusal (the person blocked the bot,
a bad request), the message is marked failed with the reason, and the accelerator's Telegram page
lists it. Nothing is sent twice: a claimed row is never claimed again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from core.sql import claim_rows

from .client import BotSession
from .config import bot_config
from .models import OutgoingMessage

SEND_BATCH = 100
MAX_ATTEMPTS = 8
RETRY_FACTOR = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
GLOBAL_INTERVAL = 1 / 25  # seconds between two calls (Telegram allows about 30 a second)
CHAT_INTERVAL = 1.0  # seconds between two messages to one chat


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Pace:
    """Waits before a call so the batch keeps within the global and per-chat rates."""

    def __init__(self, sleep=time.sleep, clock=time.monotonic):
        self.sleep, self.clock = sleep, clock
        self.last_call = None
        self.last_by_chat: dict[int, float] = {}

    def wait(self, chat_id: int) -> None:
        now = self.clock()
        pauses = [0.0]
        if self.last_call is not None:
            pauses.append(self.last_call + GLOBAL_INTERVAL - now)
        if chat_id in self.last_by_chat:
            pauses.append(self.last_by_chat[chat_id] + CHAT_INTERVAL - now)
        pause = max(pauses)
        if pause > 0:
            self.sleep(pause)
        self.last_call = self.last_by_chat[chat_id] = self.clock()


def retry_pause(attempts: int) -> timedelta:
    return min(RETRY_FACTOR * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def _seconds(retry_after) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def _due_ids(now: datetime, limit: int) -> list[int]:
    return list(
        OutgoingMessage.objects.filter(sent_at=None, failed_at=None, claimed_at=None, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def send_due(*, now: datetime | None = None, limit: int = SEND_BATCH, pace: Pace | None = None) -> SendResult:
    """Send what is due now (a bounded batch); returns what happened to each message."""
    config = bot_config()
    result = SendResult()
    if config is None:
        return result
    now = now or timezone.now()
    claimed = claim_rows(
        table=OutgoingMessage._meta.db_table,
        column="claimed_at",
        ids=_due_ids(now, limit),
        now=now,
        unless=("sent_at", "failed_at"),
    )
    if not claimed:
        return result
    messages = list(OutgoingMessage.objects.filter(id__in=claimed).order_by("next_attempt_at", "id"))
    try:
        with BotSession(config) as session:
            _send_all(session, messages, pace or Pace(), result, now)
    except TelegramError as error:  # the Bot API could not be reached at all (initialising failed)
        unsent = OutgoingMessage.objects.filter(id__in=claimed, sent_at=None, failed_at=None).exclude(claimed_at=None)
        _retry_later(unsent, str(error), result, now)
    return result


def _send_all(session: BotSession, messages: list[OutgoingMessage], pace: Pace, result: SendResult, now) -> None:
    for index, message in enumerate(messages):
        pace.wait(message.chat_id)
        try:
            session.call(message.method, {**message.payload, "chat_id": message.chat_id})
        except RetryAfter as error:
            # Telegram asks everyone to wait: this message and the rest of the batch go back.
            rest = [m.pk for m in messages[index:]]
            later = now + timedelta(seconds=_seconds(error.retry_after))
            OutgoingMessage.objects.filter(id__in=rest).update(claimed_at=None, next_attempt_at=later, error=str(error))
            result.retried += len(rest)
            return
        except (Forbidden, BadRequest) as error:
            _mark_failed(message, str(error), result)
        except TelegramError as error:
            _retry_later(OutgoingMessage.objects.filter(pk=message.pk), str(error), result, now)
        else:
            message.sent_at = timezone.now()
            OutgoingMessage.objects.filter(pk=message.pk).update(sent_at=message.sent_at, error="")
            result.sent += 1


def _mark_failed(message: OutgoingMessage, error: str, result: SendResult) -> None:
    message.failed_at = timezone.now()
    OutgoingMessage.objects.filter(pk=message.pk).update(
        failed_at=message.failed_at, attempts=F("attempts") + 1, error=error[:500]
    )
    result.failed += 1
    result.errors.append(error)


def _retry_later(rows, error: str, result: SendResult, now: datetime) -> None:
    """Give each row back with a growing pause from ``now``, or mark it failed once its attempts are spent."""
    for row in rows:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            OutgoingMessage.objects.filter(pk=row.pk).update(attempts=attempts, failed_at=now, error=error[:500])
            result.failed += 1
            result.errors.append(error)
            continue
        OutgoingMessage.objects.filter(pk=row.pk).update(
            attempts=attempts, claimed_at=None, next_attempt_at=now + retry_pause(attempts), error=error[:500]
        )
        result.retried += 1
