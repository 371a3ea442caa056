"""The program's structure: accelerators, their entities and people, and cohorts.

Dates that define a cohort's calendar (Day 0, Day 1, Day 100, end of sustainment) are derived
here from the cohort's own row by the rules of ``cohorts.calendar``; the clock that acts on them
lives in ``challenges.clock``.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import SearchKeyed, SearchKeyQuerySet

from . import calendar
from .calendar import ACCELERATION_DAYS

# Cohort dates outside this range are typos; refusing them keeps the clock's date arithmetic
# (launch + 100 + sustainment) far from the calendar's end.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2199, 12, 31)


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    UZBEK = "uz", _("Uzbek")
    RUSSIAN = "ru", _("Russian")


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager.from_queryset(SearchKeyQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(SearchKeyed, AbstractUser):
    """A person: signs in with an e-mail address; roles come from grants and team seats."""

    SEARCH_FIELDS = ("full_name", "email", "job_title")

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    entity = models.ForeignKey(
        "cohorts.Entity",
        verbose_name=_("entity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    preferred_language = models.CharField(_("preferred language"), max_length=5, choices=Language.choices, blank=True)
    is_generated = models.BooleanField(_("generated data"), default=False, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login", "search_key"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_language__in=["", *Language.values]),
                name="user_preferred_language_known",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]

    def reading_language(self, accelerator=None) -> str:
        """The language this person reads messages in: their own choice, else the accelerator's."""
        return self.preferred_language or (accelerator.default_language if accelerator else settings.LANGUAGE_CODE)


class Accelerator(models.Model):
    """One government's accelerator program, with its own clock settings and time zone."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), unique=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. AE or UZ."))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    default_language = models.CharField(
        _("default language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    sustainment_days = models.PositiveIntegerField(
        _("sustainment length (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    checkin_cadence_days = models.PositiveIntegerField(
        _("check-in cadence (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#92722a",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #1f6f8b."))],
    )
    is_demo = models.BooleanField(
        _("illustrative demo data"), default=False, help_text=_("Shown to readers as invented examples.")
    )
    is_generated = models.BooleanField(_("generated data"), default=False, editable=False)
    publishes_results = models.BooleanField(
        _("public results page"),
        default=False,
        db_default=False,
        help_text=_("Publish, without anyone's personal data, what each landed challenge set out to do and achieved."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accelerator")
        verbose_name_plural = _("accelerators")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(sustainment_days__gte=1), name="accelerator_sustainment_positive"),
            models.CheckConstraint(condition=Q(checkin_cadence_days__gte=1), name="accelerator_cadence_positive"),
            models.CheckConstraint(
                condition=Q(default_language__in=Language.values), name="accelerator_default_language_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local_today(self, now=None) -> date:
        """Today's date in the accelerator's own time zone: the unit every day count uses."""
        return (now or timezone.now()).astimezone(self.zone).date()


class Entity(models.Model):
    """A ministry, agency or authority of the accelerator's government."""

    accelerator = models.ForeignKey(
        Accelerator, verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="entities"
    )
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["accelerator", "name"], name="entity_name_unique_per_accelerator"),
        ]

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    """A batch of challenges launched together on one Day 0."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        LAUNCHED = "launched", _("launched")

    accelerator = models.ForeignKey(
        Accelerator, verbose_name=_("accelerator"), on_delete=models.PROTECT, related_name="cohorts"
    )
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    design_start = models.DateField(
        _("design start"), validators=[MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]
    )
    launch_date = models.DateField(
        _("launch day (Day 0)"), validators=[MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]
    )
    sustainment_days = models.PositiveIntegerField(
        _("sustainment length (days)"),
        help_text=_("Copied from the accelerator when the cohort is created, so later changes do not rewrite it."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("launched by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The clock's own bookkeeping, so a 15-minute tick works only where something changed: the local
    # day it last refreshed the cohort's statuses (once per local day; never moved backwards), and
    # whether its challenges' stations follow the accelerator's current template (cleared when the
    # template changes).
    statuses_refreshed_on = models.DateField(_("statuses refreshed on"), null=True, blank=True, editable=False)
    stations_synced = models.BooleanField(_("stations follow the template"), db_default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # What an edit form carries back: a save whose form showed an older value is refused. The
    # database default serves rows written without it (raw SQL, older migrations' models).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    history = HistoricalRecords(excluded_fields=["updated_at", "statuses_refreshed_on", "stations_synced"])

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["accelerator", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["accelerator", "number"], name="cohort_number_unique_per_accelerator"),
            models.CheckConstraint(condition=Q(design_start__lte=F("launch_date")), name="cohort_design_before_launch"),
            models.CheckConstraint(
                condition=Q(design_start__gte=EARLIEST_DATE, launch_date__lte=LATEST_DATE),
                name="cohort_dates_plausible",
            ),
            models.CheckConstraint(condition=Q(sustainment_days__gte=1), name="cohort_sustainment_positive"),
            models.CheckConstraint(condition=Q(status__in=["draft", "launched"]), name="cohort_status_known"),
            models.CheckConstraint(
                condition=Q(status="draft", launched_at__isnull=True) | Q(status="launched", launched_at__isnull=False),
                name="cohort_launched_has_timestamp",
            ),
        ]
        indexes = [models.Index(fields=["status", "launch_date"], name="cohort_status_launch_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_launched(self) -> bool:
        return self.status == self.Status.LAUNCHED

    @property
    def day_one(self) -> date:
        return self.launch_date + timedelta(days=1)

    @property
    def day_fifty(self) -> date:
        return self.launch_date + timedelta(days=50)

    @property
    def day_hundred(self) -> date:
        return self.launch_date + timedelta(days=ACCELERATION_DAYS)

    @property
    def sustainment_ends(self) -> date:
        """The last day of sustainment; the cohort's challenges close the day after."""
        return self.day_hundred + timedelta(days=self.sustainment_days)

    def day_number(self, today: date) -> int:
        """Day n of the 100: 0 on launch day, negative before it."""
        return calendar.day_number(self.launch_date, today)


class CohortChange(models.Model):
    """A cohort's change stamps: what the pages and API lists drawn from a cohort's challenges key
    their cache on, instead of reading a row version of every challenge, team lead and landing
    (``core.pagecache``; ``dashboards.selectors``, ``api.cache``).

    Database triggers (migrations ``dashboards`` 0002 and 0003) write them, so no code path (a form,
    the clock's SQL, the admin, an import, a raw UPDATE) can change what those pages show without a
    stamp:

    - a write to a challenge or its check-ins, to a team lead's seat or person, to an artifact or a
      pledge;
    - on PostgreSQL, one row per cohort and writing transaction, whatever its number of rows and
      statements (statement-level triggers; ``xact`` is the transaction's id). A row is inserted,
      never updated, so two writers never wait on each other's stamp;
    - on SQLite (one writer at a time), one row per cohort whose ``weight`` counts the rows written.

    Every reader's snapshot sees a set of committed stamps that no other state of the data gives, so
    a page keyed on the whole set (``Rows(..., exact=True)``) is never served for other data. The set
    stays small: ``dashboards.stamps.cohort_changes_compact`` merges a cohort's stamps into one of its
    own transaction (the merged row is new, so the set is too: one more drawing, never a stale one).
    The table keeps the name it was made with, in the dashboards app (``dashboards_cohortchange``).
    """

    pk = models.CompositePrimaryKey("cohort_id", "xact")
    # Not a foreign key: a cohort deleted with its challenges is stamped by their deletion.
    cohort_id = models.BigIntegerField(_("cohort"))
    xact = models.BigIntegerField(_("transaction"))
    weight = models.BigIntegerField(_("rows written"), default=1)

    class Meta:
        db_table = "dashboards_cohortchange"
        verbose_name = _("cohort change")
        verbose_name_plural = _("cohort changes")

    def __str__(self) -> str:
        return f"cohort {self.cohort_id} · {self.xact} × {self.weight}"
