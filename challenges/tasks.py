"""Celery tasks: thin, idempotent interfaces that take ids and call a service."""

from datetime import datetime

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import clock, escalation, notifications, reminders


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
    # What a worker that died between an earlier tick's commit and its enqueue left untold.
    notifications.phase_change_notifications_sweep()
    return {
        "transitions": result.transitions_recorded,
        "stations_created": result.stations_created,
        "statuses_changed": result.statuses_changed,
    }


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def notify_phase_changes_recorded(accelerator_id: int, recorded_at: str) -> int:
    """Queued by a clock run that recorded transitions: fans them out to ``notify_phase_changes``."""
    return notifications.phase_changes_recorded_notify(
        accelerator_id=accelerator_id, recorded_at=datetime.fromisoformat(recorded_at)
    )


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def notify_phase_changes(transitions: list) -> int:
    """``transitions``: ``[challenge id, phase entered]`` pairs, a transition's key (JSON has no tuples).
    A task queued before transitions had that key carried bare ids, which name nothing now: skipped."""
    pairs = [tuple(pair) for pair in transitions if isinstance(pair, list | tuple) and len(pair) == 2]
    return notifications.notify_phase_changes(transitions=pairs)


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_due_reminders() -> int:
    """Run by beat every hour: reminds team leads once their accelerator's local time passes 09:00."""
    return len(reminders.reminders_send_due())


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def escalate_overdue_blockers() -> int:
    """Run by beat every hour: each open blocker past its due date is escalated to its sponsors once."""
    return len(escalation.blockers_escalate_overdue())


@shared_task(bind=True, acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    sent, failed = notifications.notification_emails_send(notification_ids=notification_ids)
    _retry_or_give_up(self, failed, notifications.notification_emails_give_up, "notification_ids")
    return sent


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_sponsor_digest() -> int:
    """Run by beat daily; the first run of each week queues one digest per sponsor."""
    return len(reminders.sponsor_digests_send())


@shared_task(bind=True, acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_sponsor_digest_emails(self, digest_ids: list[int]) -> int:
    sent, failed = notifications.sponsor_digests_deliver(digest_ids=digest_ids)
    _retry_or_give_up(self, failed, notifications.sponsor_digests_give_up, "digest_ids")
    return sent


MAIL_RETRY_FACTOR = 30  # seconds: 30 s, 1 min, 2 min ... up to MAIL_RETRY_MAX
MAIL_RETRY_MAX = 3600


def _retry_or_give_up(task, failed_ids: list[int], give_up, ids_name: str) -> None:
    """Retry only the messages that failed, with a growing delay; after the last retry mark them failed."""
    if not failed_ids:
        return
    if task.request.retries >= task.max_retries:
        give_up(**{ids_name: failed_ids})
        return
    countdown = get_exponential_backoff_interval(
        factor=MAIL_RETRY_FACTOR, retries=task.request.retries, maximum=MAIL_RETRY_MAX, full_jitter=True
    )
    raise task.retry(args=[failed_ids], countdown=countdown)
