"""Celery tasks: thin, idempotent interfaces that take ids and call a service."""

from celery import shared_task

from . import clock, notifications, reminders


@shared_task(
    acks_late=True,
    autoretry_for=(ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=10,
)
def advance_clock(accelerator_ids: list[int] | None = None) -> dict:
    """Run by beat every 15 minutes and callable on demand; safe to run anywhere, any number of times."""
    result = clock.clock_tick(accelerator_ids=accelerator_ids)
    return {
        "transitions": len(result.transitions),
        "stations_created": result.stations_created,
        "stations_overdue": result.stations_overdue,
        "statuses_changed": result.statuses_changed,
    }


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def notify_phase_changes(transition_ids: list[int]) -> int:
    return notifications.notify_phase_changes(transition_ids=transition_ids)


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_due_reminders() -> int:
    """Run by beat every hour: reminds team leads once their accelerator's local time passes 09:00."""
    return len(reminders.reminders_send_due())


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_notification_emails(notification_ids: list[int]) -> int:
    return notifications.send_notification_emails(notification_ids=notification_ids)


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_sponsor_digest() -> int:
    """Run by beat daily; the first run of each week queues one digest per sponsor."""
    return len(reminders.sponsor_digests_send())


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_sponsor_digest_emails(digest_ids: list[int]) -> int:
    return notifications.send_sponsor_digests(digest_ids=digest_ids)
