"""What leaders read: the cohort report (any day; the Day-100 report once Day 100 has passed) and
the accelerator report over the years.

Every count comes from ``dashboards.selectors`` (the board's and the overview's own queries), and
each challenge's line from ``selectors.rows_for``, so a report never disagrees with the board.
A fixed number of queries whatever the number of challenges, check-ins or pledges.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import DateField, ExpressionWrapper, JSONField, OuterRef, Subquery

from challenges import charts
from challenges.models import Challenge, CheckIn
from challenges.results import CohortResult
from challenges.status import gain_and_span
from cohorts.calendar import ACCELERATION_DAYS
from cohorts.models import Accelerator, Cohort
from journey import selectors as journey_selectors
from journey.artifacts import ArtifactKind
from journey.models import Artifact, Pledge

from . import selectors

# "Sustained after 3 and 6 months": the result still holds this many days after Day 100.
SUSTAINED_AFTER = (90, 180)


def meets_target(challenge: Challenge, value: Decimal | None) -> bool | None:
    return met_target(value, baseline=challenge.baseline_value, target=challenge.target_value)


def met_target(value: Decimal | None, *, baseline: Decimal, target: Decimal) -> bool | None:
    if value is None:
        return None
    gain, span = gain_and_span(value=value, baseline=baseline, target=target)
    return gain >= span


# Which check-in is "the value on a day": the latest reported on or before it, the later period first.
VALUE_ORDER = ("-reported_on", "-period")


def value_on(checkins: list[CheckIn], day: date) -> Decimal | None:
    """The latest value reported on or before ``day`` (check-ins in any order); ``VALUE_ORDER``."""
    before = [c for c in checkins if c.reported_on <= day]
    return max(before, key=lambda c: (c.reported_on, c.period)).value if before else None


def value_on_day_100_sql() -> Subquery:
    """``value_on(checkins, cohort.day_hundred)`` for each challenge of a queryset, in the database."""
    launch = OuterRef("cohort__launch_date")
    day_100 = ExpressionWrapper(launch + timedelta(days=ACCELERATION_DAYS), output_field=DateField())
    latest = CheckIn.objects.filter(challenge=OuterRef("pk"), reported_on__lte=day_100).order_by(*VALUE_ORDER)
    return Subquery(latest.values("value")[:1])


@dataclass
class ChallengeReport:
    challenge: Challenge
    row: selectors.BoardRow
    day_100_value: Decimal | None
    met_on_day_100: bool | None
    chart: charts.Chart
    landing: list = field(default_factory=list)
    results_narrative: list = field(default_factory=list)
    decision: str = ""
    pledges: list = field(default_factory=list)

    @property
    def chart_prefix(self) -> str:
        """Ids of the chart's parts, unique on a page of many charts."""
        return f"c{self.challenge.pk}-"


@dataclass
class CohortReport:
    cohort: Cohort
    today: date
    day: int
    is_day_100: bool
    result: CohortResult
    by_entity: list[selectors.Breakdown]
    by_field: list[selectors.Breakdown]
    challenges: list[ChallengeReport]
    pledge_count: int
    # The page of challenges shown (the HTML report: ``REPORT_PAGE_SIZE`` a page); None: all (the PDF).
    page: Page | None = None


def _shown(artifact) -> list:
    return journey_selectors.shown_fields(artifact, people={}) if artifact else []


# Challenges per page of the HTML report: the page costs the same at 300 or 3,000 challenges (each
# carries its chart). The PDF carries them all.
REPORT_PAGE_SIZE = 50


def cohort_report(*, cohort: Cohort, today: date, page: str | int | None = None) -> CohortReport:
    """The whole cohort's figures, and its challenges: one page of them, or (``page`` None) all."""
    shown = None
    if page is None:
        challenges = list(selectors.report_challenges(cohort=cohort))
    else:
        shown = Paginator(selectors.report_challenges(cohort=cohort), REPORT_PAGE_SIZE).get_page(page)
        challenges = list(shown.object_list)
    for challenge in challenges:
        challenge.cohort = cohort
    ids = [c.pk for c in challenges]
    checkins = defaultdict(list)
    for checkin in CheckIn.objects.filter(challenge_id__in=ids).only("challenge_id", "period", "reported_on", "value"):
        checkins[checkin.challenge_id].append(checkin)
    artifacts = journey_selectors.artifacts_by_challenge(ids)
    pledges = journey_selectors.pledges_by_challenge(ids)
    rows = {row.id: row for row in selectors.rows_for(challenges, today=today)}
    reports = []
    for challenge in challenges:
        mine = artifacts.get(challenge.pk, {})
        landing = mine.get(ArtifactKind.LANDING)
        value = value_on(checkins[challenge.pk], cohort.day_hundred)
        if landing is not None and landing.value("day_100_value") is not None:
            value = Decimal(landing.value("day_100_value"))
        reports.append(
            ChallengeReport(
                challenge=challenge,
                row=rows[challenge.pk],
                day_100_value=value,
                met_on_day_100=meets_target(challenge, value) if today >= cohort.day_hundred else None,
                chart=charts.trajectory_chart(challenge=challenge, checkins=checkins[challenge.pk], today=today),
                landing=_shown(landing),
                results_narrative=_shown(mine.get(ArtifactKind.RESULTS_NARRATIVE)),
                pledges=pledges.get(challenge.pk, []),
            )
        )
    return CohortReport(
        cohort=cohort,
        today=today,
        day=cohort.day_number(today),
        is_day_100=today >= cohort.day_hundred,
        result=selectors.cohort_result(cohort=cohort, today=today),
        by_entity=selectors.results_by(cohort=cohort, by="lead_entity"),
        by_field=selectors.results_by(cohort=cohort, by="field"),
        challenges=reports,
        pledge_count=Pledge.objects.filter(challenge__cohort=cohort).count(),
        page=shown,
    )


# --- The accelerator over the years -------------------------------------------------------------


@dataclass
class Holding:
    """Of the challenges that met their target on Day 100, how many still did ``days`` later."""

    days: int
    held: int | None  # None: that day has not come yet
    of: int


@dataclass
class CohortYear:
    result: CohortResult
    met_on_day_100: int
    holdings: list[Holding]


def accelerator_report(*, user, accelerator: Accelerator) -> list[CohortYear]:
    """Each cohort the reader sees: results (as the overview), and whether they held 3 and 6 months on."""
    today = accelerator.local_today()
    results = selectors.accelerator_overview(user=user, accelerator=accelerator)
    cohort_ids = [r.cohort.pk for r in results]
    challenges = defaultdict(list)
    for challenge in Challenge.objects.filter(cohort_id__in=cohort_ids, withdrawn_at__isnull=True).only(
        "cohort_id", "baseline_value", "target_value", "direction"
    ):
        challenges[challenge.cohort_id].append(challenge)
    checkins = defaultdict(list)
    for checkin in CheckIn.objects.filter(
        challenge__cohort_id__in=cohort_ids, challenge__withdrawn_at__isnull=True
    ).only("challenge_id", "period", "reported_on", "value"):
        checkins[checkin.challenge_id].append(checkin)
    years = []
    for result in results:
        cohort = result.cohort
        day_100 = cohort.launch_date + timedelta(days=ACCELERATION_DAYS)
        met = [c for c in challenges[cohort.pk] if meets_target(c, value_on(checkins[c.pk], day_100))]
        holdings = []
        for days in SUSTAINED_AFTER:
            later = day_100 + timedelta(days=days)
            held = None if today < later else sum(bool(meets_target(c, value_on(checkins[c.pk], later))) for c in met)
            holdings.append(Holding(days=days, held=held, of=len(met)))
        years.append(CohortYear(result=result, met_on_day_100=len(met) if today >= day_100 else 0, holdings=holdings))
    return years


# --- The public results page ------------------------------------------------------------------------


@dataclass
class PublicResult:
    """What one landed challenge set out to do and what it achieved: no person is named."""

    title: str
    cohort: str
    lead_entity: str
    field_label: str
    metric: str
    unit: str
    baseline: Decimal
    target: Decimal
    day_100_value: Decimal | None
    met: bool | None
    impact: list = field(default_factory=list)


# The landing's fields a public page shows: the outcome, never the team's lessons or names.
PUBLIC_LANDING_FIELDS = ("impact_narrative", "lives", "hours", "money", "currency")


PUBLIC_PAGE_SIZE = 50
PUBLIC_VALUES = (
    *("pk", "title", "cohort__name", "lead_entity__name", "field", "metric", "unit"),
    *("baseline_value", "target_value", "day_100_reported", "landing"),
)


def _landed(accelerator: Accelerator, today: date):
    """The challenges a public page shows: of launched cohorts past Day 100, not withdrawn."""
    return Challenge.objects.filter(
        cohort__accelerator=accelerator,
        cohort__status=Cohort.Status.LAUNCHED,
        cohort__launch_date__lte=today - timedelta(days=ACCELERATION_DAYS),
        withdrawn_at__isnull=True,
    )


def public_results(*, accelerator: Accelerator, today: date, page: str | int | None = 1) -> Page:
    """One page of the challenges past Day 100: a count and one query for the page, whatever the data.

    Each row carries its value on Day 100 (``value_on_day_100_sql``) and its landing's content
    (a subquery), so nothing is read per challenge.
    """
    landing = Artifact.objects.filter(challenge=OuterRef("pk"), kind=ArtifactKind.LANDING).values("content")[:1]
    rows = (
        _landed(accelerator, today)
        .annotate(day_100_reported=value_on_day_100_sql(), landing=Subquery(landing, output_field=JSONField()))
        .order_by("-cohort__launch_date", "title", "pk")
        .values(*PUBLIC_VALUES)
    )
    shown = Paginator(rows, PUBLIC_PAGE_SIZE).get_page(page)
    fields = dict(Challenge._meta.get_field("field").flatchoices)
    shown.object_list = [_public_result(row, fields) for row in shown.object_list]
    return shown


def _public_result(row: dict, fields: dict) -> PublicResult:
    landing = Artifact(kind=ArtifactKind.LANDING, content=row["landing"]) if row["landing"] is not None else None
    value = row["day_100_reported"]
    if landing is not None and landing.value("day_100_value") is not None:
        value = Decimal(landing.value("day_100_value"))
    baseline, target = row["baseline_value"], row["target_value"]
    return PublicResult(
        title=row["title"],
        cohort=row["cohort__name"],
        lead_entity=row["lead_entity__name"],
        field_label=str(fields.get(row["field"], row["field"])),
        metric=row["metric"],
        unit=row["unit"],
        baseline=baseline,
        target=target,
        day_100_value=value,
        met=met_target(value, baseline=baseline, target=target),
        impact=[shown for shown in _shown(landing) if shown.name in PUBLIC_LANDING_FIELDS],
    )


def public_results_sources(*, accelerator: Accelerator, today: date) -> list:
    """Every table the public results page is drawn from, narrowed to its rows (``core.pagecache``):
    the accelerator, its landed cohorts, the entities, and those cohorts' change stamps
    (``CohortChange``), which stand for their challenges and landings, and, through the challenges,
    the check-ins (the value on Day 100; every write of one rewrites its challenge row)."""
    from cohorts.models import CohortChange, Entity
    from core.pagecache import Rows

    landed_before = today - timedelta(days=ACCELERATION_DAYS)
    cohorts = f"SELECT id FROM {Cohort._meta.db_table} WHERE accelerator_id = %s AND launch_date <= %s"
    scope = (accelerator.pk, landed_before)
    return [
        Rows(Accelerator, "t.id = %s", (accelerator.pk,)),
        Rows(Cohort, "t.accelerator_id = %s AND t.launch_date <= %s", scope),
        Rows(Entity, "t.accelerator_id = %s", (accelerator.pk,)),
        Rows(CohortChange, f"t.cohort_id IN ({cohorts})", scope, exact=True),
    ]
