"""Telegram: who linked which chat, the bot's conversations, and every message it sends.

A message to Telegram is a row first (``OutgoingMessage``): the task that sends it claims it, and
marks it sent only once the Bot API answered ``ok``; a failure is retried with a growing pause and
finally shown to the accelerator's admins. Its ``key`` makes each message exist once (one per
notification, one per reply to an update), so a redelivered update or a second relay run never
sends anything twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from challenges.models import Challenge, Notification, SponsorDigestLog
from cohorts.models import Accelerator


class BotSwitch(models.Model):
    """Whether an accelerator's people are served by the bot (off until an admin turns it on)."""

    accelerator = models.OneToOneField(
        Accelerator, verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="telegram"
    )
    enabled = models.BooleanField(_("Telegram on"), default=False)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Telegram setting")
        verbose_name_plural = _("Telegram settings")

    def __str__(self) -> str:
        return f"{self.accelerator}: {'on' if self.enabled else 'off'}"


class Link(models.Model):
    """One person's Telegram chat with the bot."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="telegram_link"
    )
    chat_id = models.BigIntegerField(_("chat"), unique=True)
    telegram_user_id = models.BigIntegerField(_("Telegram user"))
    username = models.CharField(_("Telegram username"), max_length=64, blank=True)
    notify = models.BooleanField(_("send my notifications to Telegram too"), default=True)
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Telegram link")
        verbose_name_plural = _("Telegram links")

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.chat_id}"


class LinkCode(models.Model):
    """A one-time code carried by the deep link ``t.me/<bot>?start=<code>``; only its digest is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram link code")
        verbose_name_plural = _("Telegram link codes")

    def __str__(self) -> str:
        return f"{self.user} until {self.expires_at:%Y-%m-%d %H:%M}"


class ReceivedUpdate(models.Model):
    """Each update Telegram delivered, by its id: a redelivered one is answered once."""

    update_id = models.BigIntegerField(primary_key=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("received update")
        verbose_name_plural = _("received updates")

    def __str__(self) -> str:
        return str(self.update_id)


class Conversation(models.Model):
    """What the bot is asking one chat, and the answers so far (a check-in, a blocker, a station)."""

    class Kind(models.TextChoices):
        CHECKIN = "checkin", _("check-in")
        BLOCKER = "blocker", _("blocker")
        STATION = "station", _("station")

    chat_id = models.BigIntegerField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    step = models.CharField(max_length=20)
    challenge = models.ForeignKey(Challenge, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Telegram conversation")
        verbose_name_plural = _("Telegram conversations")

    def __str__(self) -> str:
        return f"{self.chat_id}: {self.kind} at {self.step}"


class OutgoingMessage(models.Model):
    """One call to the Bot API (``sendMessage`` or ``answerCallbackQuery``), sent once."""

    class Method(models.TextChoices):
        SEND_MESSAGE = "sendMessage", "sendMessage"
        ANSWER_CALLBACK = "answerCallbackQuery", "answerCallbackQuery"

    key = models.CharField(_("key"), max_length=120, unique=True)
    chat_id = models.BigIntegerField(_("chat"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accelerator = models.ForeignKey(Accelerator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What the message copies, if anything: each notification and each weekly digest goes out once.
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="telegram_copy"
    )
    digest = models.OneToOneField(
        SponsorDigestLog, null=True, blank=True, on_delete=models.CASCADE, related_name="telegram_copy"
    )
    method = models.CharField(max_length=30, choices=Method.choices, default=Method.SEND_MESSAGE)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("Telegram message")
        verbose_name_plural = _("Telegram messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="tg_message_due_idx", condition=Q(sent_at=None, failed_at=None)
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} → {self.chat_id} ({self.key})"
