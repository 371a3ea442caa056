"""Queueing Celery tasks so that a broker outage never fails a web request and never loses a task.

Every task of the project is an ``OutboxTask`` (the Celery app's ``task_cls``), so a plain
``task.delay(...)`` inside ``transaction.on_commit`` is already safe: when the broker (Redis)
cannot be reached, the send is kept in the ``TaskOutbox`` table, the error is logged, and the
request carries on. ``resend_task_outbox`` (beat, every minute, and whenever it is called) sends
the kept rows once the broker is back. Publishing gives up quickly (``SEND_RETRY_POLICY``) so a
page never hangs on a dead broker; the outbox is what makes up for it.

``enqueue_on_commit(task, *args)`` is the short form for "queue this once the transaction commits".
A task may be named by its dotted path (``"challenges.tasks.advance_clock"``, its Celery name):
that is how a service asks for follow-up work without importing the tasks module that imports it.
"""

from __future__ import annotations

import logging

from celery import Task, current_app, shared_task
from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

# Errors meaning "the broker is unreachable", as raised by kombu and redis-py while publishing.
try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_ERRORS: tuple[type[BaseException], ...] = (
        OperationalError,
        ConnectionError,
        OSError,
        RedisConnectionError,
        RedisTimeoutError,
    )
except ImportError:  # pragma: no cover - redis is a dependency of celery[redis]
    BROKER_ERRORS = (OperationalError, ConnectionError, OSError)

SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
SWEEP_BATCH = 500


def keep_for_later(task_name: str, args, kwargs, error: BaseException) -> None:
    """Record a send the broker refused; raises only if the database is down too."""
    from core.models import TaskOutbox

    log.warning("broker unreachable, keeping %s for the outbox sweep: %s", task_name, error)
    TaskOutbox.objects.create(
        task_name=task_name, args=list(args or []), kwargs=dict(kwargs or {}), last_error=str(error)[:1000]
    )


class OutboxTask(Task):
    """A Celery task whose ``apply_async`` falls back to the outbox when the broker is down."""

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)
        options.setdefault("retry_policy", SEND_RETRY_POLICY)
        try:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)
        except BROKER_ERRORS as error:
            keep_for_later(self.name, args, kwargs, error)
            return None


def _resolve(task):
    return import_string(task) if isinstance(task, str) else task


def enqueue(task, *args, **kwargs) -> None:
    """Send ``task`` (a task or its dotted name) now, or keep it in the outbox if the broker is unreachable."""
    task = _resolve(task)
    try:
        task.delay(*args, **kwargs)  # an OutboxTask keeps it for later itself
    except BROKER_ERRORS as error:
        keep_for_later(task.name, args, kwargs, error)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` once the current transaction commits (never for a rolled-back write)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


def enqueue_batches(task, ids: list, *, batch: int) -> None:
    """Send ``task(ids[i:i+batch])`` for each batch of ``ids``: bounded tasks, however many ids."""
    for start in range(0, len(ids), batch):
        enqueue(task, ids[start : start + batch])


def outbox_resend(*, limit: int = SWEEP_BATCH) -> int:
    """Send kept tasks in order; stop at the first broker error (it is still down). Returns how many went."""
    from core.models import TaskOutbox

    sent = 0
    with transaction.atomic():
        # skip_locked: two sweeps at once split the rows instead of sending them twice.
        rows = list(TaskOutbox.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        for row in rows:
            try:
                current_app.send_task(row.task_name, args=row.args, kwargs=row.kwargs, retry_policy=SEND_RETRY_POLICY)
            except BROKER_ERRORS as error:
                row.attempts += 1
                row.last_error = str(error)[:1000]
                row.save(update_fields=["attempts", "last_error"])
                log.warning("broker still unreachable; %d task(s) wait in the outbox", len(rows) - sent)
                break
            row.delete()
            sent += 1
    return sent


@shared_task(acks_late=True, ignore_result=True)
def resend_task_outbox() -> int:
    return outbox_resend()
