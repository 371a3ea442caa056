"""Celery tasks for Telegram: thin, idempotent, and doing nothing when no bot token is configured."""

from celery import shared_task

from . import outbox, relay


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_messages() -> dict:
    """Run after each webhook update and by beat every 30 seconds (retries come due then)."""
    result = outbox.send_due()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def relay_to_telegram() -> dict:
    """Run by beat every minute: copy new notifications and digests to linked chats, then send."""
    queued = relay.relay_notifications() + relay.relay_digests()
    result = outbox.send_due()
    return {"queued": queued, "sent": result.sent, "retried": result.retried, "failed": result.failed}
