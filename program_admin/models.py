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


class Encoding(models.TextChoices):
    """The encodings spreadsheet programs write CSV in for this platform's languages (Python codec names).

    Excel's "CSV" uses the Windows code page of the computer's locale (1251 in Russian and Uzbek
    Cyrillic, 1256 in Arabic, 1252 or 1254 in Latin-script locales); "CSV UTF-8" and "Unicode
    text" are UTF-8 with a BOM and UTF-16 with a BOM; KOI8-R and DOS 866 still come from older
    Russian systems.
    """

    UTF8 = "utf-8", _("Unicode (UTF-8)")
    UTF16 = "utf-16", _("Unicode (UTF-16)")
    CP1251 = "cp1251", _("Cyrillic (Windows-1251)")
    KOI8_R = "koi8_r", _("Cyrillic (KOI8-R)")
    CP866 = "cp866", _("Cyrillic (DOS 866)")
    CP1256 = "cp1256", _("Arabic (Windows-1256)")
    CP1252 = "cp1252", _("Western European (Windows-1252)")
    CP1254 = "cp1254", _("Turkish and Uzbek Latin (Windows-1254)")


class Delimiter(models.TextChoices):
    """What separates a CSV file's columns; named, because a tab cannot travel in a form's option."""

    COMMA = "comma", _("commas (,)")
    SEMICOLON = "semicolon", _("semicolons (;)")
    TAB = "tab", _("tabs")

    @property
    def character(self) -> str:
        return {"comma": ",", "semicolon": ";", "tab": "\t"}[self.value]


class DecimalMark(models.TextChoices):
    """Which of "," and "." separates a number's decimals; the other one may group its thousands."""

    COMMA = "comma", _("decimal comma (1 234,5)")
    POINT = "point", _("decimal point (1,234.5)")


class ImportState(models.TextChoices):
    AWAITING = "awaiting", _("awaiting confirmation")
    QUEUED = "queued", _("queued")
    VALIDATING = "validating", _("checking rows")
    SAVING = "saving", _("saving")
    SUCCEEDED = "succeeded", _("imported")
    FAILED = "failed", _("rejected")


class ImportJob(models.Model):
    """One uploaded challenge list: kept until the admin confirms how it reads, then imported.

    The file itself is kept in ``payload`` until the import ends, so neither the preview nor the
    worker needs a shared disk and the browser never has to send the file twice. How it is read
    (encoding, column separator, decimal mark) is detected on upload and may be corrected by the
    admin on the preview; what was confirmed is what the worker reads. Problems are stored as
    codes with parameters and translated when shown, so each reader sees them in their own
    language.
    """

    State = ImportState

    cohort = models.ForeignKey(
        "cohorts.Cohort", verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    payload = models.BinaryField(_("file contents"), blank=True, default=b"")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    encoding = models.CharField(_("encoding"), max_length=12, blank=True, choices=Encoding.choices)
    delimiter = models.CharField(_("columns separated by"), max_length=12, blank=True, choices=Delimiter.choices)
    decimal_mark = models.CharField(_("numbers"), max_length=12, blank=True, choices=DecimalMark.choices)
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
            models.CheckConstraint(condition=Q(state__in=ImportState.values), name="import_job_state_known"),
            models.CheckConstraint(condition=Q(encoding__in=["", *Encoding.values]), name="import_job_encoding_known"),
            models.CheckConstraint(
                condition=Q(delimiter__in=["", *Delimiter.values]), name="import_job_delimiter_known"
            ),
            models.CheckConstraint(
                condition=Q(decimal_mark__in=["", *DecimalMark.values]), name="import_job_decimal_mark_known"
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
    def is_running(self) -> bool:
        """Queued or in a worker's hands: the page polls only then."""
        return self.state in (self.State.QUEUED, self.State.VALIDATING, self.State.SAVING)

    @property
    def percent(self) -> int:
        if self.state in (self.State.SAVING, self.State.SUCCEEDED):
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class LaunchNotice(models.Model):
    """A team seat whose launch messages (invitation, team-lead e-mail) were sent: at most once.

    The launch task inserts one row per seat with ``ON CONFLICT DO NOTHING … RETURNING`` and
    writes only to the seats its own insert returned, so a task delivered twice sends nothing twice.
    """

    seat = models.OneToOneField(
        "members.Membership", verbose_name=_("team seat"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("launch notice")
        verbose_name_plural = _("launch notices")

    def __str__(self) -> str:
        return f"{self.seat_id} · {self.created_at}"
