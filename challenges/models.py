"""Challenges, their teams, and what happens to them along the 100 journey.

``Challenge.phase``, ``progress``, ``expected_progress`` and ``status`` are stored and indexed:
the clock (``challenges.clock``) and the check-in service keep them current in set-based SQL, so
dashboards read them instead of recomputing them per row per request.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cohorts.calendar import Phase
from core.models import SearchKeyed, SearchKeyQuerySet

from .goals import METRIC_DIGITS, Direction, Standing, UnitKind, goal_constraints, progress_text, standing


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    OFF_TRACK = "off_track", _("off track")
    ACHIEVED = "achieved", _("achieved")
    SUSTAINED = "sustained", _("sustained")
    SLIPPING = "slipping", _("slipping")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Field(models.TextChoices):
    """What a challenge changes: the four fields of challenges (``../shared/DOMAIN.md``)."""

    NATIONAL_INDEX = "national_index", _("national indexes")
    POLICY = "policy", _("policies")
    PROGRAMME = "programme", _("programmes")
    SERVICE = "service", _("services")


class Challenge(SearchKeyed):
    """One measurable goal (baseline → target) that a cross-entity team reaches in 100 days."""

    SEARCH_FIELDS = ("title",)

    cohort = models.ForeignKey(
        "cohorts.Cohort", verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="challenges"
    )
    title = models.CharField(_("title"), max_length=300)
    goal_statement = models.TextField(_("goal statement"), blank=True)
    lead_entity = models.ForeignKey(
        "cohorts.Entity", verbose_name=_("lead entity"), on_delete=models.PROTECT, related_name="led_challenges"
    )
    partner_entities = models.ManyToManyField(
        "cohorts.Entity", verbose_name=_("partner entities"), blank=True, related_name="partner_challenges"
    )
    field = models.CharField(
        _("field"), max_length=15, choices=Field.choices, default=Field.SERVICE, db_default=Field.SERVICE
    )
    metric = models.CharField(_("metric"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    unit_kind = models.CharField(
        _("kind of unit"),
        max_length=12,
        choices=UnitKind.choices,
        default=UnitKind.OTHER,
        db_default=UnitKind.OTHER,  # rows written in raw SQL (benchmarks) get it too
        help_text=_("Sets the valid values: not below zero, 0–100 for a percentage, unless bounds are given."),
    )
    lower_bound = models.DecimalField(
        _("lowest valid value"),
        **METRIC_DIGITS,
        null=True,
        blank=True,
        help_text=_("Only if the metric can go below zero (or must stay above some value)."),
    )
    upper_bound = models.DecimalField(
        _("highest valid value"),
        **METRIC_DIGITS,
        null=True,
        blank=True,
        help_text=_("Only if the metric cannot exceed some value (or a percentage may exceed 100)."),
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    baseline_value = models.DecimalField(_("baseline"), **METRIC_DIGITS)
    baseline_period = models.CharField(
        _("baseline period"), max_length=100, blank=True, help_text=_("When the baseline was measured.")
    )
    target_value = models.DecimalField(_("target"), **METRIC_DIGITS)

    # The expected line re-drawn at the refresh workshop (~Day 50): from this day and value straight
    # to the target on Day 100. Empty: the default straight line from the baseline on Day 0.
    trajectory_from_day = models.PositiveSmallIntegerField(_("expected line re-drawn from day"), null=True, blank=True)
    trajectory_from_value = models.DecimalField(
        _("expected value at the re-drawing"), null=True, blank=True, **METRIC_DIGITS
    )
    trajectory_reason = models.TextField(_("why the expected line was re-drawn"), blank=True)

    phase = models.CharField(_("phase"), max_length=15, choices=Phase.choices, default=Phase.DESIGN)
    phase_since = models.DateField(_("in this phase since"), null=True, blank=True)
    # Kept current by the check-in service and the clock; never computed per request.
    current_value = models.DecimalField(_("current value"), null=True, blank=True, **METRIC_DIGITS)
    progress = models.FloatField(_("progress"), default=0.0)
    expected_progress = models.FloatField(_("expected progress"), default=0.0)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.NOT_STARTED)
    last_checkin_on = models.DateField(_("last check-in"), null=True, blank=True)
    is_stale = models.BooleanField(_("stale"), default=False)
    # The local day the values above were computed for; they are never recomputed for an earlier one.
    refreshed_on = models.DateField(_("refreshed on"), null=True, blank=True, editable=False)

    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SearchKeyQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["progress", "expected_progress", "is_stale", "refreshed_on", "updated_at", "search_key"]
    )

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["cohort", "title"]
        constraints = [
            *goal_constraints("challenge"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="challenge_phase_known"),
            models.CheckConstraint(condition=Q(field__in=Field.values), name="challenge_field_known"),
            models.CheckConstraint(
                condition=Q(trajectory_from_day__isnull=True)
                | (
                    Q(trajectory_from_day__gte=1, trajectory_from_day__lt=100, trajectory_from_value__isnull=False)
                    & ~Q(trajectory_reason="")
                ),
                name="challenge_redrawn_line_has_value_and_reason",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="challenge_status_known"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="challenge_withdrawal_has_reason",
            ),
            models.UniqueConstraint(fields=["cohort", "title"], name="challenge_title_unique_per_cohort"),
        ]
        indexes = [
            models.Index(fields=["cohort", "status"], name="challenge_cohort_status_idx"),
            models.Index(fields=["cohort", "phase"], name="challenge_cohort_phase_idx"),
            models.Index(fields=["cohort", "progress"], name="challenge_cohort_progress_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def standing(self) -> Standing:
        """Below the baseline, on the way, or beyond the target (``challenges.goals.standing``)."""
        return standing(self.progress)

    @property
    def progress_text(self) -> str:
        """ "45% of the way", "beyond target (130%)" or "below baseline (−20%)"."""
        return progress_text(self.progress)


class PhaseTransitionQuerySet(models.QuerySet):
    def with_keys(self, keys):
        """The transitions named by ``(challenge_id, to_phase)`` keys (a list of pairs, as tasks carry
        them): one ``challenge_id IN (…)`` per phase, served by the primary key."""
        by_phase: dict[str, list[int]] = {}
        for challenge_id, to_phase in keys:
            by_phase.setdefault(to_phase, []).append(challenge_id)
        if not by_phase:
            return self.none()
        match = Q()
        for to_phase, challenge_ids in by_phase.items():
            match |= Q(to_phase=to_phase, challenge_id__in=challenge_ids)
        return self.filter(match)

    def recorded_by(self, accelerator_id: int, recorded_at):
        """The transitions one clock run recorded in one accelerator: they carry its instant. Runs for
        one accelerator queue behind its row lock, and a run at the same instant as one before it finds
        nothing due, so the instant names exactly the rows that run inserted."""
        return self.filter(recorded_at=recorded_at, challenge__cohort__accelerator_id=accelerator_id)


class PhaseTransition(models.Model):
    """A phase a challenge entered, with the date it took effect; recorded exactly once.

    Its natural key is its primary key: (challenge, to_phase). The clock inserts into one index
    instead of a surrogate id's and a unique one beside it, and that key refuses a second row for a
    phase however often the clock runs (the clock inserts only the phases a challenge has not passed,
    behind its accelerator's row lock). Code names a transition by the pair
    (``PhaseTransition.objects.with_keys``), a clock run's transitions by their instant (``recorded_by``).
    """

    pk = models.CompositePrimaryKey("challenge", "to_phase")
    # No index of its own: the primary key starts with it and serves every lookup by challenge.
    challenge = models.ForeignKey(
        Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="transitions", db_index=False
    )
    from_phase = models.CharField(_("from"), max_length=15, choices=Phase.choices)
    to_phase = models.CharField(_("to"), max_length=15, choices=Phase.choices)
    effective_on = models.DateField(_("took effect on"))
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = PhaseTransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase transition")
        verbose_name_plural = _("phase transitions")
        ordering = ["challenge", "effective_on"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_phase=F("to_phase")), name="transition_changes_phase"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge}: {self.get_from_phase_display()} → {self.get_to_phase_display()}"

    @property
    def key(self) -> tuple[int, str]:
        return (self.challenge_id, self.to_phase)


class StationKind(models.TextChoices):
    DESIGN_WORKSHOP = "design_workshop", _("design workshop")
    CHALLENGE_NOTE = "challenge_note", _("challenge note")
    LAUNCH_WORKSHOP = "launch_workshop", _("launch workshop")
    SPONSOR_REVIEW = "sponsor_review", _("sponsor review")
    PULSE_CHECK = "pulse_check", _("coach's pulse check")
    REFRESH_WORKSHOP = "refresh_workshop", _("refresh workshop")
    RESULTS_NARRATIVE = "results_narrative", _("results narrative")
    LANDING_WORKSHOP = "landing_workshop", _("landing workshop")
    SUSTAINMENT_REVIEW = "sustainment_review", _("sustainment review")
    OTHER = "other", _("other")


class StationAnchor(models.TextChoices):
    DESIGN_START = "design_start", _("design start")
    LAUNCH = "launch", _("launch day (Day 0)")


class StationTemplate(models.Model):
    """One milestone of an accelerator's 100 journey, as a day offset from an anchor date."""

    Kind = StationKind
    Anchor = StationAnchor

    accelerator = models.ForeignKey(
        "cohorts.Accelerator", verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="station_templates"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Only needed for “other”."))
    anchor = models.CharField(_("counted from"), max_length=15, choices=Anchor.choices, default=Anchor.LAUNCH)
    day_offset = models.IntegerField(_("day offset"))

    class Meta:
        verbose_name = _("station template")
        verbose_name_plural = _("station templates")
        ordering = ["accelerator", "anchor", "day_offset"]
        constraints = [
            models.CheckConstraint(condition=Q(day_offset__gte=0), name="station_template_offset_non_negative"),
            models.UniqueConstraint(
                fields=["accelerator", "kind", "anchor", "day_offset"], name="station_template_unique"
            ),
            models.CheckConstraint(condition=Q(kind__in=StationKind.values), name="station_template_kind_known"),
            models.CheckConstraint(condition=Q(anchor__in=StationAnchor.values), name="station_template_anchor_known"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or self.get_kind_display()


class Station(models.Model):
    """A challenge's own copy of a template milestone, with its due date and whether it is done.

    Stored: pending or done. Overdue is never stored: a station is overdue when it is pending and
    its due day has passed in the accelerator's local date (``state_on``, ``overdue_on``), so no
    job has to mark it and it can never be stale.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        OVERDUE = "overdue", _("overdue")  # shown, never stored (``state_on``)
        DONE = "done", _("done")

    # No index of its own: the unique (challenge, template) index starts with it and serves every
    # lookup by challenge, and each station the clock writes updates one index fewer.
    challenge = models.ForeignKey(
        Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="stations", db_index=False
    )
    template = models.ForeignKey(
        StationTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="stations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StationTemplate.Kind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["challenge", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "template"], name="station_once_per_template"),
            models.CheckConstraint(condition=Q(state__in=["pending", "done"]), name="station_state_stored"),
            models.CheckConstraint(
                condition=Q(state="done", done_on__isnull=False) | (~Q(state="done") & Q(done_on__isnull=True)),
                name="station_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or self.get_kind_display()

    def state_on(self, today: date) -> str:
        """The state shown on ``today`` (the accelerator's local date): overdue once a pending
        station's due day has passed."""
        if self.state == self.State.PENDING and self.due_on < today:
            return self.State.OVERDUE
        return self.state

    def state_label_on(self, today: date) -> str:
        return str(self.State(self.state_on(today)).label)


class CheckInQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        _fill_accelerator(objs)
        return super().bulk_create(objs, *args, **kwargs)


def _fill_accelerator(checkins: list) -> None:
    """Give each check-in its challenge's accelerator (one query for all of them) where it has none."""
    missing = {c.challenge_id for c in checkins if c.accelerator_id is None}
    if not missing:
        return
    owner = dict(Challenge.objects.filter(pk__in=missing).values_list("pk", "cohort__accelerator_id"))
    for checkin in checkins:
        if checkin.accelerator_id is None:
            checkin.accelerator_id = owner.get(checkin.challenge_id)


class CheckIn(models.Model):
    """The team's report for one cadence period: the metric's value and what moved it.

    ``accelerator`` is the challenge's (its cohort's) accelerator, stored so that a list of an
    accelerator's newest check-ins (the API's) walks one index, ``checkin_accelerator_newest_idx``,
    instead of sorting every check-in of the accelerator. It is filled on save and on
    ``bulk_create``; a challenge moved to another accelerator's cohort takes its check-ins along
    (``challenge_moved``).
    """

    challenge = models.ForeignKey(
        Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="checkins"
    )
    accelerator = models.ForeignKey(
        "cohorts.Accelerator", verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="+", editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="checkins"
    )
    period = models.PositiveIntegerField(_("period"), help_text=_("Cadence period number, counted from Day 1."))
    reported_on = models.DateField(_("reported on"))
    value = models.DecimalField(_("metric value"), **METRIC_DIGITS)
    done = models.TextField(_("what was done"))
    next_steps = models.TextField(_("next steps"), blank=True)
    confidence = models.PositiveSmallIntegerField(
        _("confidence"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["challenge", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "period"], name="checkin_once_per_period"),
            models.CheckConstraint(condition=Q(confidence__gte=1, confidence__lte=5), name="checkin_confidence_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["challenge", "reported_on"], name="checkin_challenge_date_idx"),
            # An accelerator's newest check-ins, and their count (an index-only scan: the challenge is
            # in it for the visibility rule's join).
            models.Index(
                fields=["accelerator", "-created_at", "-id"],
                include=["challenge"],
                name="checkin_accelerator_newest_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} · {self.reported_on}"

    def save(self, *args, **kwargs):
        if self.challenge_id != getattr(self, "_challenge_as_loaded", self.challenge_id):
            self.accelerator_id = None  # moved to another challenge (the admin): take that one's
        if self.accelerator_id is None:
            _fill_accelerator([self])
        super().save(*args, **kwargs)
        self._challenge_as_loaded = self.challenge_id

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._challenge_as_loaded = instance.__dict__.get("challenge_id")
        return instance

    @classmethod
    def challenge_moved(cls, challenge: Challenge) -> None:
        """After ``challenge`` changed cohort: its check-ins follow it to that cohort's accelerator."""
        cls.objects.filter(challenge=challenge).exclude(accelerator_id=challenge.cohort.accelerator_id).update(
            accelerator_id=challenge.cohort.accelerator_id
        )


class Blocker(models.Model):
    """Something the team cannot remove alone; escalated to the sponsor and the coach.

    It has an owner on the team who chases it and a due date (``decision_needed_by``). One still
    open after its due date is escalated to the sponsor once: ``escalated_at`` is the per-row state
    the escalation job claims with a conditional ``UPDATE`` (``challenges/escalation.py``). Resolved
    blockers stay on the challenge page, with who resolved them, when and how.
    """

    class Severity(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    challenge = models.ForeignKey(
        Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="blockers"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("what is blocking"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The team member who chases it until it is removed."),
    )
    decision_needed_by = models.DateField(_("due date"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the sponsor at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("blocker")
        verbose_name_plural = _("blockers")
        ordering = ["challenge", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__in=["low", "medium", "high"]), name="blocker_severity_known"),
            models.CheckConstraint(
                condition=Q(state="open", resolved_at__isnull=True) | Q(state="resolved", resolved_at__isnull=False),
                name="blocker_resolved_has_timestamp",
            ),
        ]
        indexes = [models.Index(fields=["challenge", "state"], name="blocker_challenge_state_idx")]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def anchor(self) -> str:
        """The id of this blocker's entry on the challenge page (a notification opens it there)."""
        return f"blocker-{self.pk}"


class Notification(models.Model):
    """An in-app message to one person; e-mail copies go out through the mail backend.

    ``kind`` (with ``blocker`` where it is about one) says what it is about, so opening it leads
    there: ``target_url``.
    """

    class Kind(models.TextChoices):
        OTHER = "other", _("other")
        PHASE_CHANGE = "phase_change", _("phase change")
        BLOCKER_RAISED = "blocker_raised", _("blocker raised")
        BLOCKER_OVERDUE = "blocker_overdue", _("blocker past its due date")
        CHECKIN_REMINDER = "checkin_reminder", _("check-in reminder")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="notifications"
    )
    challenge = models.ForeignKey(
        Challenge, verbose_name=_("challenge"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER, db_default=Kind.OTHER.value
    )
    blocker = models.ForeignKey(
        Blocker, verbose_name=_("blocker"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For a phase change, the phase the challenge entered: one row per person and phase entered,
    # whichever of the tick's task and the sweep made it (``notify_phase_changes``).
    phase = models.CharField(
        _("phase entered"), max_length=15, choices=Phase.choices, blank=True, default="", db_default=""
    )
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The e-mail copy: claimed by the task that sends it (so a redelivered task never mails twice),
    # e-mailed once the mail server took it, failed once the task's retries are spent (the admin
    # lists those with the reason).
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    email_failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    email_error = models.CharField(_("last error"), max_length=500, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["other", "phase_change", "blocker_raised", "blocker_overdue", "checkin_reminder"]
                ),
                name="notification_kind_known",
            ),
            models.UniqueConstraint(
                fields=["user", "challenge", "phase"],
                condition=Q(kind="phase_change") & ~Q(phase=""),
                name="notification_phase_change_once",
            ),
        ]

    def __str__(self) -> str:
        return self.message[:60]

    # Where each kind opens on the challenge page (the blocker kinds open the blocker itself).
    ANCHORS = {Kind.PHASE_CHANGE: "phases-heading", Kind.CHECKIN_REMINDER: "progress"}

    def target_url(self) -> str:
        """What this notification is about, as a path of ours (never a URL someone supplied)."""
        if self.challenge_id is None:
            return reverse("notifications")
        url = reverse("challenge_detail", args=[self.challenge_id])
        if self.blocker_id is not None:
            return f"{url}#blocker-{self.blocker_id}"
        anchor = self.ANCHORS.get(self.kind)
        return f"{url}#{anchor}" if anchor else url


class CheckInRevision(models.Model):
    """What a check-in said before one correction: kept so history never silently changes."""

    checkin = models.ForeignKey(CheckIn, verbose_name=_("check-in"), on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("version"), help_text=_("The version this revision replaced."))
    value = models.DecimalField(_("metric value"), **METRIC_DIGITS)
    done = models.TextField(_("what was done"))
    next_steps = models.TextField(_("next steps"), blank=True)
    confidence = models.PositiveSmallIntegerField(_("confidence"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("corrected by"), on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(_("corrected at"))

    class Meta:
        verbose_name = _("check-in revision")
        verbose_name_plural = _("check-in revisions")
        ordering = ["checkin", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "version"], name="checkin_revision_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.checkin} · v{self.version}"


class ReminderLog(models.Model):
    """One check-in reminder to one person for one challenge's due period.

    The unique constraint is what makes the reminder job exactly-once: every run inserts with
    ``ON CONFLICT DO NOTHING`` and mails only the rows its own insert returned.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    challenge = models.ForeignKey(
        Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="reminders"
    )
    period = models.PositiveIntegerField(_("period"))
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("check-in reminder")
        verbose_name_plural = _("check-in reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "challenge", "period"], name="reminder_once_per_person_period"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.challenge} · {self.period}"


class SponsorDigestLog(models.Model):
    """The weekly digest one sponsor received for one week (the Monday it starts), at most once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    week_of = models.DateField(_("week of"))
    created_at = models.DateTimeField(_("created at"))
    # As for a notification's e-mail: claimed, then sent once the mail server took it, or failed.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("sponsor digest")
        verbose_name_plural = _("sponsor digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "week_of"], name="sponsor_digest_once_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.week_of}"
