"""Integrations: API tokens per accelerator, webhook endpoints, and each webhook delivery."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A secret an integration sends as ``Authorization: Bearer <token>``.

    Only a SHA-256 digest of the whole token is stored; ``prefix`` (its first characters, not
    secret) finds the row, and the digest is compared in constant time. The token acts for its
    accelerator with its scope, never as the person who made it: a read token sees what an
    official of the accelerator sees (launched cohorts), a write token may also post check-ins
    to that accelerator's challenges.
    """

    class Scope(models.TextChoices):
        READ = "read", _("read")
        WRITE_CHECKINS = "write_checkins", _("read and post check-ins")

    accelerator = models.ForeignKey(
        "cohorts.Accelerator", verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, such as the system using it.")
    )
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    # Check-ins posted with the token are signed with this person (a check-in has an author).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=["read", "write_checkins"]), name="api_token_scope_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_post_checkins(self) -> bool:
        return self.scope == self.Scope.WRITE_CHECKINS


class WebhookEndpoint(models.Model):
    """A URL of an integration that is told about phase changes and check-ins of one accelerator."""

    accelerator = models.ForeignKey(
        "cohorts.Accelerator", verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    # Kept as written: the signature is computed with it at every delivery.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint. Marked delivered only once the endpoint answered 2xx.

    ``event_key`` names the event itself (``checkin:12:v1``, ``transition:34:sustainment``): the unique
    (endpoint, event_key) makes recording an event twice a no-op, and ``delivery_id``, sent with
    every attempt, lets the receiver drop a repeat of a delivery it already took.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=40)
    event_key = models.CharField(_("event key"), max_length=80)
    payload = models.JSONField(_("payload"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_key"], name="webhook_delivery_once_per_event"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "delivered", "failed"]), name="webhook_delivery_state_known"
            ),
            models.CheckConstraint(
                condition=Q(state="delivered", delivered_at__isnull=False) | ~Q(state="delivered"),
                name="webhook_delivered_has_time",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="webhook_delivery_state_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.state})"
