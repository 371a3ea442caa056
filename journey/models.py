"""The journey's artifacts, the sustainability pledges, and the reminders about them.

One ``Artifact`` model holds every kind (``journey.artifacts.SPECS`` declares each kind's fields);
one row per challenge and kind, edited in place with a version number (a stale form is refused)
and every version kept by simple-history. A ``Pledge`` is different: signed once by a sponsor and
never changed again, which the database itself enforces (triggers in the migration
``0002_pledges_cannot_change``), not only this code.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .artifacts import SPECS, ArtifactKind


class Artifact(models.Model):
    challenge = models.ForeignKey(
        "challenges.Challenge", verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="artifacts"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ArtifactKind.choices)
    # Field name → value, as ``SPECS[kind].fields`` declares them (decimals as strings).
    content = models.JSONField(_("content"), default=dict)
    version = models.PositiveIntegerField(_("version"), default=1)
    produced_on = models.DateField(_("produced on"), help_text=_("The accelerator's local day it was first saved."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("journey artifact")
        verbose_name_plural = _("journey artifacts")
        ordering = ["challenge", "produced_on"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "kind"], name="artifact_once_per_challenge_kind"),
            models.CheckConstraint(condition=Q(kind__in=ArtifactKind.values), name="artifact_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} · {self.get_kind_display()}"

    @property
    def spec(self):
        return SPECS[self.kind]

    def value(self, name: str):
        return self.content.get(name)


class Pledge(models.Model):
    """A sponsor's sustainability pledge: who signed, when, the exact words; unchangeable once signed."""

    challenge = models.ForeignKey(
        "challenges.Challenge", verbose_name=_("challenge"), on_delete=models.PROTECT, related_name="pledges"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    # As they were when signing: the pledge does not change if the person's record does later.
    signer_name = models.CharField(_("name"), max_length=200)
    signer_job_title = models.CharField(_("job title"), max_length=200, blank=True)
    entity_name = models.CharField(_("entity"), max_length=200)
    text = models.TextField(_("the pledge's text"))
    language = models.CharField(_("language"), max_length=5)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("sustainability pledge")
        verbose_name_plural = _("sustainability pledges")
        ordering = ["challenge", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "signer"], name="pledge_once_per_signer"),
            models.CheckConstraint(condition=~Q(text=""), name="pledge_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} · {self.signer_name}"


class JourneyReminder(models.Model):
    """One reminder to one person about one station's artifact: made at most once (the unique key)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        "challenges.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("artifact reminder")
        verbose_name_plural = _("artifact reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "station"], name="journey_reminder_once_per_person_station"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.station}"
