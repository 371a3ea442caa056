"""Celery tasks: thin, idempotent interfaces over the journey's services."""

from celery import shared_task

from . import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_artifact_reminders() -> int:
    """Run by beat every hour: each owner hears once per station, from 3 days before it is due."""
    return len(reminders.artifact_reminders_send())
