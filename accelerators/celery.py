"""The Celery application: configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accelerators.settings.base")

# Every task falls back to the outbox when the broker is down (see core/tasking.py).
app = Celery("accelerators", task_cls="core.tasking:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
