"""Celery tasks for the admin's journey: thin interfaces that take ids and call a service."""

from celery import shared_task

from program_admin import services
from program_admin.importing import import_job_run


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def run_import(job_id: int) -> dict:
    """Check and save an uploaded challenge list; safe to deliver twice (the job is claimed once)."""
    job = import_job_run(job_id=job_id)
    return {"state": job.state if job else None}


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=10)
def send_launch_messages(
    cohort_id: int, seat_ids: list[int] | None = None, invitation_ids: list[int] | None = None
) -> int:
    return services.cohort_send_launch_messages(cohort_id=cohort_id, seat_ids=seat_ids, invitation_ids=invitation_ids)
