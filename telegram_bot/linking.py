"""Linking a person's Telegram chat: a one-time code in a deep link, taken by the bot's ``/start``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .config import BotConfig
from .models import Conversation, Link, LinkCode

CODE_LIFETIME = timedelta(minutes=15)


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def link_code_create(*, user, now: datetime | None = None) -> tuple[str, datetime]:
    """A fresh code for ``user`` (earlier unused ones stop working); returns it and when it expires."""
    now = now or timezone.now()
    code = secrets.token_urlsafe(24)  # 32 characters of A-Z a-z 0-9 _ -, as Telegram's start parameter allows
    with transaction.atomic():
        LinkCode.objects.filter(user=user, used_at=None).delete()
        row = LinkCode.objects.create(user=user, digest=_digest(code), expires_at=now + CODE_LIFETIME)
    return code, row.expires_at


def deep_link(config: BotConfig, code: str) -> str:
    return f"https://t.me/{config.username}?start={code}"


@transaction.atomic
def link_consume(*, code: str, chat_id: int, telegram_user_id: int, username: str, now: datetime | None = None):
    """Link the chat to the code's owner; returns them, or None for an unknown, used or expired code.

    A chat belongs to one person and a person to one chat: linking moves either over.
    """
    now = now or timezone.now()
    row = (
        LinkCode.objects.select_for_update()
        .select_related("user")
        .filter(digest=_digest(code), used_at=None, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    LinkCode.objects.filter(pk=row.pk).update(used_at=now)
    Link.objects.filter(chat_id=chat_id).exclude(user=row.user).delete()
    Conversation.objects.filter(chat_id=chat_id).delete()
    Link.objects.update_or_create(
        user=row.user,
        defaults={"chat_id": chat_id, "telegram_user_id": telegram_user_id, "username": (username or "")[:64]},
    )
    return row.user


def unlink(*, user) -> bool:
    """Forget the person's chat; the bot no longer answers it or writes to it."""
    with transaction.atomic():
        link = Link.objects.filter(user=user).first()
        if link is None:
            return False
        Conversation.objects.filter(chat_id=link.chat_id).delete()
        link.delete()
    return True


def linked_user(chat_id: int):
    link = Link.objects.select_related("user").filter(chat_id=chat_id, user__is_active=True).first()
    return link.user if link else None
