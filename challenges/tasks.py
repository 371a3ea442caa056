"""Celery tasks: thin, idempotent interfaces that take ids and call a service."""

from celery import shared_task

from . import clock, notifications


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
