"""Celery tasks for the dashboards: thin interfaces that take ids and call a service."""

from celery import shared_task
from django.conf import settings

from dashboards import services, stamps


@shared_task(
    acks_late=True,
    soft_time_limit=settings.REPORT_PDF_TIME_LIMIT - 5,
    time_limit=settings.REPORT_PDF_TIME_LIMIT,
)
def render_report_pdf(report_id: int) -> str:
    """Draw a report's PDF (on the ``pdf`` queue: settings ``CELERY_TASK_ROUTES``); safe to deliver
    twice, the row is claimed once."""
    return services.rendered_report_draw(report_id=report_id)


@shared_task(acks_late=True)
def sweep_report_pdfs() -> dict[str, int]:
    """Beat, every minute: prune old PDFs, queue again the jobs a lost worker dropped."""
    return services.rendered_reports_sweep()


@shared_task(acks_late=True)
def compact_cohort_changes() -> int:
    """Beat, every 15 minutes: each cohort's change stamps merged into one (``dashboards.stamps``)."""
    return stamps.cohort_changes_compact()
