"""A cohort's 100 days in seconds, for demos and for training coaches: nothing is kept.

``simulate`` drives the platform's own jobs with a moving clock, one week at a time: the clock
(``challenges.clock.clock_tick``: phases, stations, stored status), the reminder run
(``challenges.reminders.reminders_send_due``) and, in the scenarios where teams report, the real
check-in service (``challenges.services.checkin_submit``). It copies none of their rules; it only
reads what they wrote after each step. Everything runs inside a transaction that is rolled back
(unless the command's ``--commit`` asks to keep the clock's result), so no row changes and no
e-mail leaves: on-commit work is dropped with the rollback.

A draft cohort is simulated only when asked to, and then says so: "as if launched on …".
A running cohort starts today (what already happened is on the record); one not started yet
starts at its design start.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.calendar import Phase
from cohorts.models import Cohort
from members.models import Membership

from . import periods
from .charts import expected_value
from .clock import clock_tick
from .models import Challenge, CheckIn, ReminderLog, Station, StationKind, Status
from .reminders import REMIND_AT, reminders_send_due
from .services import checkin_submit

STEP_DAYS = 7


class Scenario(models.TextChoices):
    """What the teams do in the simulation (the clock and the reminders are the real ones)."""

    SILENT = "silent", _("nobody posts a check-in")
    ON_TRACK = "on_track", _("every team posts on time, on the expected line")
    MIXED = "mixed", _("a third on track, a third behind, a third silent")


class DraftRefused(Exception):
    """A draft is simulated only "as if launched", on request."""


@dataclass
class Week:
    """One step of the simulation: the local date it ends on, and what happened since the last one."""

    on: date
    day: int
    phases: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    due: int = 0  # check-ins that fell due during the week
    posted: int = 0  # check-ins the teams posted during the week (the scenario)
    missing: int = 0  # of those due, not posted by the end of the week
    reminders: list[tuple[str, str]] = field(default_factory=list)  # (person, challenge)
    stations: list[tuple[str, int]] = field(default_factory=list)  # (station, challenges)
    transitions: list[tuple[str, str, str, date]] = field(default_factory=list)  # (challenge, from, to, on)
    stale: int = 0

    def count(self, status: str) -> int:
        return self.statuses.get(status, 0)


@dataclass
class Simulation:
    cohort: Cohort
    scenario: str
    as_if_launched: bool
    starts_on: date
    ends_on: date
    weeks: list[Week] = field(default_factory=list)
    challenge_count: int = 0
    week_count: int = 0  # how many weeks the whole run has

    @property
    def finished(self) -> bool:
        return len(self.weeks) >= self.week_count

    @property
    def total_reminders(self) -> int:
        return sum(len(week.reminders) for week in self.weeks)

    @property
    def final(self) -> Week | None:
        return self.weeks[-1] if self.weeks else None


def week_dates(cohort: Cohort, *, starts_on: date) -> list[date]:
    """The steps' dates: every 7th day counted from Day 0, from ``starts_on`` to the day after
    sustainment ends (when the challenges close), always ending on that day."""
    closes = cohort.sustainment_ends + timedelta(days=1)
    k = -((cohort.launch_date - starts_on).days // STEP_DAYS)  # the first step on or after starts_on
    dates = []
    while (day := cohort.launch_date + timedelta(days=STEP_DAYS * k)) < closes:
        dates.append(day)
        k += 1
    dates.append(closes)
    return dates


def _start(cohort: Cohort, *, today: date) -> date:
    return cohort.design_start if not cohort.is_launched else max(cohort.design_start, today)


def _poster(challenge: Challenge, stand_in) -> object | None:
    lead = next((s.user for s in challenge.memberships.all() if s.role == Membership.Role.TEAM_LEAD), None)
    return lead or stand_in


def _share_for(scenario: str, index: int) -> float | None:
    """How far along the expected line the team's value is (None: it posts nothing)."""
    if scenario == Scenario.ON_TRACK:
        return 1.0
    if scenario == Scenario.MIXED:
        return (1.0, 0.5, None)[index % 3]
    return None


def _post_due_checkins(sim: Simulation, challenges: list, *, since: date, until: date, stand_in) -> int:
    """The scenario's check-ins for the periods falling due in (since, until], each on its due day."""
    cohort = sim.cohort
    cadence = cohort.accelerator.checkin_cadence_days
    posted = 0
    for index, challenge in enumerate(challenges):
        share = _share_for(sim.scenario, index)
        author = _poster(challenge, stand_in)
        if share is None or author is None:
            continue
        for due in _due_between(cohort, cadence, since, until):
            day = cohort.day_number(due.due_on)
            line = expected_value(baseline=challenge.baseline_value, target=challenge.target_value, day=day)
            baseline = float(challenge.baseline_value)
            value = Decimal(str(round(baseline + (line - baseline) * share, 4)))
            now = datetime.combine(due.due_on, time(8, 0), tzinfo=cohort.accelerator.zone).astimezone(UTC)
            try:
                checkin_submit(
                    challenge=challenge, by=author, value=value, done=str(_("(simulated)")), confidence=3, now=now
                )
            except ValidationError:  # the team already posted this period for real: theirs stands
                continue
            posted += 1
    return posted


def _due_between(cohort: Cohort, cadence: int, since: date, until: date) -> list[periods.Period]:
    """The check-in periods whose due day falls in (since, until] (``challenges.periods``)."""
    found = []
    day = since + timedelta(days=1)
    seen = set()
    while day <= until:
        period = periods.current_period(cohort=cohort, cadence=cadence, today=day)
        if period is not None and period.number not in seen and since < period.due_on <= until:
            seen.add(period.number)
            found.append(period)
        day += timedelta(days=1)
    return found


def _observe(week: Week, cohort: Cohort, *, since: date, made: list[int], result, titles: dict) -> None:
    """Read what the jobs wrote this week: phases, statuses, stale flags, reminders, stations due."""
    for phase, status, stale in Challenge.objects.filter(cohort=cohort).values_list("phase", "status", "is_stale"):
        week.phases[phase] += 1
        week.statuses[status] += 1
        week.stale += bool(stale)
    for reminder in ReminderLog.objects.filter(id__in=made).select_related("user", "challenge").order_by("id"):
        week.reminders.append((str(reminder.user), reminder.challenge.title))
    due = Station.objects.filter(challenge__cohort=cohort, due_on__gt=since, due_on__lte=week.on)
    labels = dict(StationKind.choices)
    week.stations = sorted((str(labels[kind]), n) for kind, n in Counter(due.values_list("kind", flat=True)).items())
    week.transitions = [
        (titles[challenge_id], Phase(old), Phase(new), on)
        for challenge_id, old, new, on in sorted(result.transitions, key=lambda t: (t[3], t[0]))
    ]


def simulate(
    *,
    cohort: Cohort,
    scenario: str = Scenario.SILENT,
    as_if_launched: bool = False,
    stand_in=None,
    today: date | None = None,
    keep: bool = False,
    on_week: Callable[[Week], None] | None = None,
    weeks_limit: int | None = None,
) -> Simulation:
    """Run ``cohort`` week by week to the end of sustainment and return what each week brought.

    Rolled back unless ``keep`` (the clock's phases and stations only: a kept run neither posts
    check-ins nor sends reminders). ``stand_in`` posts the scenario's check-ins where a challenge
    has no team lead. ``on_week`` sees each week as it is computed (the command prints it);
    ``weeks_limit`` stops after that many weeks (the page steps through them).
    """
    if not cohort.is_launched and not as_if_launched:
        raise DraftRefused(cohort)
    if keep and (scenario != Scenario.SILENT or not cohort.is_launched):
        raise ValueError("a kept simulation runs only the clock, and only for a launched cohort")
    accelerator = cohort.accelerator
    today = today or accelerator.local_today()
    sim = Simulation(
        cohort=cohort,
        scenario=scenario,
        as_if_launched=not cohort.is_launched,
        starts_on=_start(cohort, today=today),
        ends_on=cohort.sustainment_ends + timedelta(days=1),
    )
    with transaction.atomic():
        if not cohort.is_launched:
            # Inside the transaction only: the clock leaves drafts alone, so this one pretends.
            Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.LAUNCHED, launched_at=timezone.now())
            cohort = Cohort.objects.select_related("accelerator").get(pk=cohort.pk)
        challenges = list(
            Challenge.objects.filter(cohort=cohort, withdrawn_at__isnull=True)
            .select_related("cohort__accelerator")
            .prefetch_related("memberships__user")
            .order_by("title")
        )
        titles = dict(Challenge.objects.filter(cohort=cohort).values_list("id", "title"))
        sim.challenge_count = len(titles)
        since = sim.starts_on - timedelta(days=1)
        dates = week_dates(cohort, starts_on=sim.starts_on)
        sim.week_count = len(dates)
        for on in dates[:weeks_limit]:
            week = Week(on=on, day=cohort.day_number(on))
            cadence = accelerator.checkin_cadence_days
            dues = _due_between(cohort, cadence, since, on)
            week.due = len(dues) * len(challenges)
            if not keep:
                week.posted = _post_due_checkins(sim, challenges, since=since, until=on, stand_in=stand_in)
            # At the reminder hour, as the hourly beat would first run that day.
            now = datetime.combine(on, REMIND_AT, tzinfo=accelerator.zone).astimezone(UTC) + timedelta(minutes=5)
            result = clock_tick(now=now, accelerator_ids=[accelerator.id], cohort_ids=[cohort.pk], notify=False)
            made = [] if keep else reminders_send_due(now=now, accelerator_ids=[accelerator.id], cohort_ids=[cohort.pk])
            week.missing = _missing(cohort, dues) if dues else 0
            _observe(week, cohort, since=since, made=made, result=result, titles=titles)
            sim.weeks.append(week)
            if on_week:
                on_week(week)
            since = on
        if not keep:
            transaction.set_rollback(True)
    return sim


def _missing(cohort: Cohort, dues: list[periods.Period]) -> int:
    numbers = [period.number for period in dues]
    live = CheckIn.objects.filter(challenge__cohort=cohort, challenge__withdrawn_at__isnull=True)
    posted = live.filter(period__in=numbers).count()
    challenges = Challenge.objects.filter(cohort=cohort, withdrawn_at__isnull=True).count()
    return challenges * len(numbers) - posted


STATUS_ORDER = [
    Status.NOT_STARTED,
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.OFF_TRACK,
    Status.ACHIEVED,
    Status.SUSTAINED,
    Status.SLIPPING,
    Status.WITHDRAWN,
]
