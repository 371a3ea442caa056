"""A report's PDF, drawn by a Celery worker from the HTML the reader's request rendered.

WeasyPrint takes 25 s on a quiet machine for a 300-challenge report (minutes on a loaded one), far
past the web server's timeout, so the request only renders the HTML (under a second) and leaves
it here for the ``pdf`` queue's worker; the reader's browser waits on a page that polls.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RenderState(models.TextChoices):
    PENDING = "pending", _("waiting for a worker")
    RENDERING = "rendering", _("being drawn")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class RenderedReport(models.Model):
    """One report's PDF for one state of its data and one kind of reader (``key``).

    ``key`` is the report's page-cache key (``dashboards.views``: code stamp, a digest of every row
    it shows, language, local date, and the reader where the report depends on them), so a unique
    constraint makes two clicks, or two readers with the same key, one job; a change of the data
    makes a new key and a new PDF. The row is shared by the web process and the worker through the
    database (the embedded mode's cache is not theirs to share), and pruned after a day
    (``dashboards.services.rendered_reports_sweep``).
    """

    State = RenderState

    key = models.CharField(_("key"), max_length=200, unique=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    html = models.TextField(_("HTML"), blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report PDF")
        verbose_name_plural = _("report PDFs")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=RenderState.values), name="rendered_report_state_known"),
            # Ready exactly when the bytes are stored: the same UPDATE writes both.
            models.CheckConstraint(
                condition=(Q(state="ready") & Q(pdf__isnull=False)) | (~Q(state="ready") & Q(pdf__isnull=True)),
                name="rendered_report_ready_has_pdf",
            ),
            models.CheckConstraint(
                condition=~Q(state="rendering") | Q(started_at__isnull=False), name="rendered_report_rendering_started"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"

    @property
    def is_waiting(self) -> bool:
        """Queued or in a worker's hands: the waiting page polls only then."""
        return self.state in (self.State.PENDING, self.State.RENDERING)
