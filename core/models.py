"""Infrastructure every app shares: the outbox of tasks kept while the broker was down."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskOutbox(models.Model):
    """A task the web process could not hand to the broker (Redis down); the sweep sends it later.

    Written by ``core.tasking`` instead of failing the request; ``resend_task_outbox``
    (beat, every minute) sends the rows in order and deletes each once the broker took it.
    Delivery is at least once: tasks are idempotent, so a resend after a crash is harmless.
    """

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("kept at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        db_table = "challenges_taskoutbox"
        verbose_name = _("task waiting for the broker")
        verbose_name_plural = _("tasks waiting for the broker")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.task_name
