"""Outbound webhooks: phase changes and check-ins, told to each endpoint of the accelerator.

Recording is part of the write that caused it: the listeners of ``challenges.events`` insert one
``WebhookDelivery`` per endpoint in the same transaction (an outbox: a rolled-back check-in is
never announced, a committed one always is), then queue the sending on commit through
``core.tasking`` (kept in its outbox while the broker is down). The sending task retries with a
growing delay; a delivery is marked delivered only after a 2xx.

Each request is signed: ``Accelerators-Signature: t=<unix time>,v1=<hex>``, where ``v1`` is the
HMAC-SHA256 of ``<t>.<body>`` under the endpoint's secret; ``Accelerators-Delivery`` carries the
delivery's id (the same on every retry, so a receiver drops repeats), ``Accelerators-Event`` its
event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from challenges import events
from challenges.goals import METRIC_DIGITS
from challenges.models import CheckIn, PhaseTransition
from core.delivery import describe
from core.tasking import enqueue_batches

from .models import WebhookDelivery, WebhookEndpoint

CHECKIN_RECORDED = "checkin.recorded"
PHASE_CHANGED = "challenge.phase_changed"
SEND_BATCH = 50
TIMEOUT_SECONDS = 10
RECORD_BATCH = 1000
_METRIC_QUANTUM = Decimal(1).scaleb(-METRIC_DIGITS["decimal_places"])


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(*, secret: str, header: str, body: bytes, now: float | None = None, tolerance: int = 300) -> bool:
    """What a receiver does (and the README shows): recompute, compare in constant time, refuse old ones."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, header.strip())


# --- Recording --------------------------------------------------------------------------------


def _endpoints(accelerator_id: int) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(accelerator_id=accelerator_id, removed_at__isnull=True))


def _record(endpoints: list[WebhookEndpoint], events_: list[tuple[str, str, dict]]) -> None:
    """Insert a delivery per endpoint and event (a repeat is ignored) and send them on commit."""
    rows = [
        WebhookDelivery(endpoint=endpoint, event=event, event_key=key, payload=payload)
        for endpoint in endpoints
        for event, key, payload in events_
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=RECORD_BATCH)
    keys = [key for _event, key, _payload in events_]
    ids = list(
        WebhookDelivery.objects.filter(
            endpoint__in=endpoints, event_key__in=keys, state=WebhookDelivery.State.PENDING
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: enqueue_batches("api.tasks.deliver_webhooks", ids, batch=SEND_BATCH))


def checkin_payload(checkin: CheckIn, *, corrected: bool) -> dict:
    challenge = checkin.challenge
    return {
        "challenge": {"id": challenge.pk, "cohort_id": challenge.cohort_id, "title": challenge.title},
        "checkin": {
            "id": checkin.pk,
            "period": checkin.period,
            "reported_on": checkin.reported_on,
            "value": checkin.value.quantize(_METRIC_QUANTUM),  # as stored, whichever object it came from
            "confidence": checkin.confidence,
            "version": checkin.version,
        },
        "corrected": corrected,
    }


def on_checkin_recorded(sender, *, checkin: CheckIn, corrected: bool, **kwargs) -> None:
    endpoints = _endpoints(checkin.challenge.cohort.accelerator_id)
    if not endpoints:
        return
    payload = _envelope(CHECKIN_RECORDED, checkin_payload(checkin, corrected=corrected))
    _record(endpoints, [(CHECKIN_RECORDED, f"checkin:{checkin.pk}:v{checkin.version}", payload)])


def on_phases_changed(sender, *, accelerator_id: int, transitions: list, **kwargs) -> None:
    endpoints = _endpoints(accelerator_id)
    if not endpoints:
        return
    for start in range(0, len(transitions), RECORD_BATCH):
        chunk = [(row[0], row[2]) for row in transitions[start : start + RECORD_BATCH]]
        rows = PhaseTransition.objects.with_keys(chunk).values(
            "challenge_id", "challenge__cohort_id", "challenge__title", "from_phase", "to_phase", "effective_on"
        )
        found = [
            (
                PHASE_CHANGED,
                f"transition:{row['challenge_id']}:{row['to_phase']}",
                _envelope(
                    PHASE_CHANGED,
                    {
                        "challenge": {
                            "id": row["challenge_id"],
                            "cohort_id": row["challenge__cohort_id"],
                            "title": row["challenge__title"],
                        },
                        "from_phase": row["from_phase"],
                        "to_phase": row["to_phase"],
                        "effective_on": row["effective_on"],
                    },
                ),
            )
            for row in rows
        ]
        _record(endpoints, found)


def _envelope(event: str, data: dict) -> dict:
    # Through DjangoJSONEncoder once, so the stored payload holds JSON types (dates, decimals as text).
    return json.loads(json.dumps({"event": event, "occurred_at": timezone.now(), "data": data}, cls=DjangoJSONEncoder))


def connect() -> None:
    events.checkin_recorded.connect(on_checkin_recorded, dispatch_uid="api.webhooks.checkin")
    events.phases_changed.connect(on_phases_changed, dispatch_uid="api.webhooks.phases")


# --- Sending ----------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer that is not 2xx: not delivered


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Attempt:
    status: int | None
    error: str

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(delivery: WebhookDelivery, *, now: float | None = None) -> Attempt:
    body = json.dumps({"id": str(delivery.delivery_id), **delivery.payload}, ensure_ascii=False).encode()
    timestamp = int(time.time() if now is None else now)
    request = urllib.request.Request(  # noqa: S310 - the URL is an admin's http(s) URLField
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Accelerators-Webhooks/1",
            "Accelerators-Event": delivery.event,
            "Accelerators-Delivery": str(delivery.delivery_id),
            "Accelerators-Signature": sign(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Attempt(response.status, "")
    except urllib.error.HTTPError as error:
        return Attempt(error.code, f"HTTP {error.code}")
    except Exception as error:  # unreachable, refused, timed out, TLS: all mean "try again later"
        return Attempt(None, describe(error))


def deliveries_send(*, delivery_ids: list[int], now: datetime | None = None) -> list[int]:
    """Send the pending ones among ``delivery_ids``; returns the ids that still need a retry."""
    now = now or timezone.now()
    pending = WebhookDelivery.objects.filter(
        pk__in=delivery_ids, state=WebhookDelivery.State.PENDING, endpoint__removed_at__isnull=True
    ).select_related("endpoint")
    retry = []
    for delivery in pending:
        attempt = post(delivery)
        fields = {"attempts": delivery.attempts + 1, "last_status": attempt.status, "last_error": attempt.error[:500]}
        if attempt.delivered:
            fields.update(state=WebhookDelivery.State.DELIVERED, delivered_at=now)
        else:
            retry.append(delivery.pk)
        # Conditional on still pending: a concurrent sender that already succeeded is not undone.
        WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDelivery.State.PENDING).update(**fields)
    return retry


def deliveries_give_up(*, delivery_ids: list[int]) -> int:
    return WebhookDelivery.objects.filter(pk__in=delivery_ids, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED
    )
