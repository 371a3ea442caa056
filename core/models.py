"""Infrastructure every app shares: the outbox of tasks kept while the broker was down."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import search_key, search_words


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


# --- Search keys (core/text.py's ``search_key``) stored beside the text they fold ---------------


def fill_search_keys(objs) -> None:
    """Set each object's ``search_key`` from its ``SEARCH_FIELDS`` (for inserts that skip ``save``)."""
    for obj in objs:
        obj.search_key = obj.compute_search_key()


class SearchKeyQuerySet(models.QuerySet):
    """``bulk_create`` fills the keys too (the import, the generator and simple-history's bulk helper)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_search_keys(objs)
        return super().bulk_create(objs, *args, **kwargs)


class SearchKeyed(models.Model):
    """A model whose ``SEARCH_FIELDS`` are searched through one stored, script-folded key.

    The key is derived from the row alone and written wherever the row is: ``save`` (also with
    ``update_fields`` that name a searched field) and ``bulk_create``; a data migration fills the
    rows that existed before. A ``QuerySet.update`` of a searched field must set it too.
    """

    SEARCH_FIELDS: tuple[str, ...] = ()

    search_key = models.TextField(_("search key"), blank=True, default="", db_default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_key = self.compute_search_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCH_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    def compute_search_key(self) -> str:
        return search_key(*(getattr(self, name) for name in self.SEARCH_FIELDS))


def search(queryset: models.QuerySet, query: str | None) -> models.QuerySet:
    """The rows of a ``SearchKeyed`` queryset whose key holds every word of ``query``, in any script.

    Plain ``LIKE '%word%'`` on the stored key: the same on SQLite and PostgreSQL, one scan, and no
    more queries however many rows match.
    """
    for word in search_words(query):
        queryset = queryset.filter(search_key__contains=word)
    return queryset
