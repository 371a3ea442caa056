"""Webhook endpoints: added with a secret shown once, removed (their pending deliveries stop)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import WebhookDelivery, WebhookEndpoint
from .webhooks import new_secret


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str


@transaction.atomic
def endpoint_add(*, accelerator, by, url: str) -> NewEndpoint:
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(accelerator=accelerator, url=url, secret=secret, created_by=by)
    return NewEndpoint(endpoint=endpoint, secret=secret)


@transaction.atomic
def endpoint_remove(*, endpoint: WebhookEndpoint) -> bool:
    """Stop notifying the endpoint; what was delivered stays on record, what was pending fails."""
    removed = WebhookEndpoint.objects.filter(pk=endpoint.pk, removed_at__isnull=True).update(removed_at=timezone.now())
    if removed:
        WebhookDelivery.objects.filter(endpoint=endpoint, state=WebhookDelivery.State.PENDING).update(
            state=WebhookDelivery.State.FAILED, last_error="endpoint removed"
        )
    return bool(removed)
