"""Celery tasks of the API: sending webhook deliveries, with retries owned by the task."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from . import webhooks


@shared_task(bind=True, acks_late=True, max_retries=8)
def deliver_webhooks(self, delivery_ids: list[int]) -> int:
    """Send the deliveries; retry the ones not answered with 2xx, with a growing, jittered delay."""
    retry = webhooks.deliveries_send(delivery_ids=delivery_ids)
    if not retry:
        return len(delivery_ids)
    if self.request.retries >= self.max_retries:
        webhooks.deliveries_give_up(delivery_ids=retry)
        return len(delivery_ids) - len(retry)
    countdown = get_exponential_backoff_interval(
        factor=settings.WEBHOOK_RETRY_FACTOR,
        retries=self.request.retries,
        maximum=settings.WEBHOOK_RETRY_MAX,
        full_jitter=False,
    )
    raise self.retry(args=[retry], countdown=countdown)
