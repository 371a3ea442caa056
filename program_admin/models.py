"""The program team's own records: the intake list of candidate challenges, and challenge-list imports.

Both moved here from ``cohorts`` (state only; the tables keep their names).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from challenges.goals import METRIC_DIGITS, Direction, UnitKind, range_constraints

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(5)]


class CandidateChallenge(models.Model):
    """An entry on the accelerator's initial challenge list, scored before it is picked into a cohort.

    The four scores are the method's selection criteria (0–5 each); the diagnosis note says what
    the program team learnt about the problem. Goal fields are optional here and required only
    when the candidate becomes a challenge.
    """

    accelerator = models.ForeignKey(
        "cohorts.Accelerator", verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="candidates"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("proposed for cohort"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
    )
    title = models.CharField(_("title"), max_length=300)
    lead_entity = models.ForeignKey(
        "cohorts.Entity",
        verbose_name=_("lead entity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    score_clear_goal = models.PositiveSmallIntegerField(
        _("clear and ambitious goal"), default=0, validators=SCORE_VALIDATORS
    )
    score_touches_lives = models.PositiveSmallIntegerField(
        _("touches people's lives"), default=0, validators=SCORE_VALIDATORS
    )
    score_several_organisations = models.PositiveSmallIntegerField(
        _("needs several organisations"), default=0, validators=SCORE_VALIDATORS
    )
    score_achievable = models.PositiveSmallIntegerField(
        _("achievable in 100 days"), default=0, validators=SCORE_VALIDATORS
    )
    diagnosis_note = models.TextField(_("diagnosis note"), blank=True)
    metric = models.CharField(_("metric"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    unit_kind = models.CharField(
        _("kind of unit"), max_length=12, choices=UnitKind.choices, default=UnitKind.OTHER, db_default=UnitKind.OTHER
    )
    lower_bound = models.DecimalField(_("lowest valid value"), **METRIC_DIGITS, null=True, blank=True)
    upper_bound = models.DecimalField(_("highest valid value"), **METRIC_DIGITS, null=True, blank=True)
    direction = models.CharField(
        _("direction"),
        max_length=10,
        blank=True,
        choices=Direction.choices,
    )
    baseline_value = models.DecimalField(_("baseline"), **METRIC_DIGITS, null=True, blank=True)
    baseline_period = models.CharField(_("baseline period"), max_length=100, blank=True)
    target_value = models.DecimalField(_("target"), **METRIC_DIGITS, null=True, blank=True)
    source_challenge = models.ForeignKey(
        "challenges.Challenge",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    challenge = models.OneToOneField(
        "challenges.Challenge",
        verbose_name=_("became challenge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = HistoricalRecords(table_name="cohorts_historicalcandidatechallenge")

    class Meta:
        db_table = "cohorts_candidatechallenge"
        verbose_name = _("candidate challenge")
        verbose_name_plural = _("candidate challenges")
        ordering = ["accelerator", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_clear_goal__lte=5)
                & Q(score_touches_lives__lte=5)
                & Q(score_several_organisations__lte=5)
                & Q(score_achievable__lte=5),
                name="candidate_scores_0_to_5",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["", *Direction.values]), name="candidate_direction_known"
            ),
            *range_constraints("candidate"),
            models.UniqueConstraint(
                fields=["accelerator", "title"],
                condition=Q(challenge__isnull=True),
                name="candidate_open_title_unique_per_accelerator",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def total_score(self) -> int:
        return (
            self.score_clear_goal + self.score_touches_lives + self.score_several_organisations + self.score_achievable
        )

    @property
    def is_picked(self) -> bool:
        return self.challenge_id is not None


class ImportJob(models.Model):
    """One uploaded challenge list, imported by a Celery task; the page polls its progress.

    The file itself is kept in ``payload`` until the import ends, so the worker needs no shared
    disk. Problems are stored as codes with parameters and translated when shown, so each reader
    sees them in their own language.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        VALIDATING = "validating", _("checking rows")
        SAVING = "saving", _("saving")
        SUCCEEDED = "succeeded", _("imported")
        FAILED = "failed", _("rejected")

    cohort = models.ForeignKey(
        "cohorts.Cohort", verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    payload = models.BinaryField(_("file contents"), blank=True, default=b"")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("challenges created"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "cohorts_importjob"
        verbose_name = _("challenge import")
        verbose_name_plural = _("challenge imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "validating", "saving", "succeeded", "failed"]),
                name="import_job_state_known",
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__lte=F("total_rows")), name="import_job_progress_bounded"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.state in (self.State.SAVING, self.State.SUCCEEDED):
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
