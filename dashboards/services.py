"""Reports' PDFs: asked for by the reader's request, drawn by a worker, served once ready.

The request renders the report's HTML (it knows the reader and the language) and leaves it in a
``RenderedReport`` row under the report's key; the ``pdf`` queue's worker claims the row with a
conditional UPDATE, runs WeasyPrint and stores the bytes in the UPDATE that marks it ready. Every
step is safe to repeat: a second click finds the row, a task delivered twice finds it claimed, a
worker killed mid-drawing leaves a claim that expires and is queued again (by the next request or
the sweep), at most ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.tasking import enqueue_on_commit
from dashboards import pdf
from dashboards.models import RenderedReport

logger = logging.getLogger(__name__)

RENDER_TASK = "dashboards.tasks.render_report_pdf"
# A worker killed three times on the same report will be killed a fourth: say so instead.
MAX_ATTEMPTS = 3
State = RenderedReport.State


def claim_lease() -> timedelta:
    """How long a claim holds: past the task's hard time limit, the worker that claimed is gone."""
    return timedelta(seconds=settings.REPORT_PDF_TIME_LIMIT + 60)


def _stale(now: datetime) -> Q:
    """Rows whose job was lost: queued and never claimed for a while, or claimed by a worker that
    outlived its time limit."""
    queued_long_ago = Q(
        state=State.PENDING, requested_at__lt=now - timedelta(seconds=settings.REPORT_PDF_REQUEUE_SECONDS)
    )
    claim_expired = Q(state=State.RENDERING, started_at__lt=now - claim_lease())
    return queued_long_ago | claim_expired


def _requeue_if_stale(report_id: int, now: datetime) -> bool:
    """Queue a lost job again (once: the UPDATE that moves ``requested_at`` on is the claim to do so),
    or give up on one that has used its attempts."""
    rows = RenderedReport.objects.filter(_stale(now), pk=report_id)
    if rows.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=State.FAILED, finished_at=now, error=f"gave up after {MAX_ATTEMPTS} attempts: the worker never finished"
    ):
        return False
    if rows.update(state=State.PENDING, requested_at=now, started_at=None):
        enqueue_on_commit(RENDER_TASK, report_id)
        return True
    return False


def rendered_report_request(
    *, key: str, html: Callable[[], str], now: datetime | None = None
) -> tuple[RenderedReport, bool]:
    """The PDF row for ``key``, and whether this call queued its job: found (and queued again if its
    job was lost), else made pending with the report's HTML (``html()``, rendered only then) and
    queued once the row is committed.

    Two requests racing for a new key make one row (the unique key; ``get_or_create`` reads the
    other's row back) and queue one job: only the request that created it queues.
    """
    now = now or timezone.now()
    report = RenderedReport.objects.defer("html").filter(key=key).first()
    if report is None:
        page = html()  # outside the transaction: a big report takes a second to render
        with transaction.atomic():
            report, created = RenderedReport.objects.get_or_create(
                key=key, defaults={"html": page, "requested_at": now}
            )
            if created:
                enqueue_on_commit(RENDER_TASK, report.pk)
        return report, created
    queued = report.is_waiting and _requeue_if_stale(report.pk, now)
    if report.is_waiting:
        report.refresh_from_db(fields=["state", "requested_at", "started_at", "error", "finished_at"])
    return report, queued


@transaction.atomic
def rendered_report_retry(*, key: str, now: datetime | None = None) -> bool:
    """A failed PDF queued again from its kept HTML, its attempts counted afresh; False when the
    row under ``key`` has not failed (already queued again by another click, ready, or gone)."""
    now = now or timezone.now()
    retried = RenderedReport.objects.filter(key=key, state=State.FAILED).update(
        state=State.PENDING, requested_at=now, started_at=None, finished_at=None, attempts=0, error=""
    )
    if retried:
        report_id = RenderedReport.objects.values_list("pk", flat=True).get(key=key)
        enqueue_on_commit(RENDER_TASK, report_id)
    return bool(retried)


def rendered_report_draw(*, report_id: int) -> str:
    """Draw one claimed PDF; what happened, as a word for the worker's log.

    The claim is a conditional UPDATE (pending → rendering), so a task delivered twice draws once.
    Only the claim's holder (its ``started_at``) may finish the row: a worker that outlived its lease
    and was replaced writes nothing.
    """
    started = timezone.now()
    claimed = RenderedReport.objects.filter(pk=report_id, state=State.PENDING, attempts__lt=MAX_ATTEMPTS).update(
        state=State.RENDERING, started_at=started, attempts=F("attempts") + 1
    )
    if not claimed:
        return "not claimed"
    mine = RenderedReport.objects.filter(pk=report_id, state=State.RENDERING, started_at=started)
    html = RenderedReport.objects.values_list("html", flat=True).get(pk=report_id)
    try:
        document = pdf.html_to_pdf(html)
    except Exception as error:  # WeasyPrint's errors, the soft time limit: the reader is told
        logger.exception("report PDF %s failed", report_id)
        mine.update(state=State.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:2000])
        return "failed"
    # The bytes and the state in one UPDATE: never ready without its PDF (a check constraint too).
    if mine.update(state=State.READY, pdf=document, html="", finished_at=timezone.now()):
        return "ready"
    return "superseded"


def rendered_reports_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat's every-minute pass: prune what nobody asked for in ``REPORT_PDF_KEEP_HOURS``, queue
    again the jobs a lost worker or broker dropped."""
    now = now or timezone.now()
    pruned, _ = RenderedReport.objects.filter(
        requested_at__lt=now - timedelta(hours=settings.REPORT_PDF_KEEP_HOURS)
    ).delete()
    requeued = 0
    for report_id in RenderedReport.objects.filter(_stale(now)).values_list("pk", flat=True):
        with transaction.atomic():
            requeued += _requeue_if_stale(report_id, now)
    return {"pruned": pruned, "requeued": requeued}
