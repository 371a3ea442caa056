"""Read queries for the officials' dashboards: a fixed number of SQL statements per page.

Everything a dashboard shows about a challenge is a stored column (phase, status, progress,
expected progress, last check-in, stale flag, current value) kept current by the clock and the
check-in service; these selectors only filter, sort, join and aggregate them in the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils.text import capfirst

from challenges import periods
from challenges.goals import Standing, progress_text, standing
from challenges.models import Challenge, CheckIn, Field, Status
from challenges.results import CohortResult, clamped_day, with_results
from challenges.results import cohort_result as result_on
from cohorts.calendar import PHASE_ORDER, Phase
from cohorts.models import Accelerator, Cohort, CohortChange, Entity
from core.models import search
from core.pagecache import Rows
from core.replica import reading_connection
from core.sql import as_float
from members.access import cohorts_visible_to, visible_cohorts_where
from members.invitations import invited_as
from members.models import AcceleratorRole, Invitation, Membership

# --- Free-text search in any script --------------------------------------------------------------
#
# Titles are searched through their stored, script-folded key (core/text.py's ``search_key``,
# core/models.py's ``search``): "солиқ" finds "soliq", "Вызов" finds "вызов", "مؤشر" typed
# without its hamza finds it, on SQLite and PostgreSQL alike.


def search_titles(queryset: QuerySet, query: str) -> QuerySet:
    """Every word of ``query`` must occur in the title, whatever its script or case."""
    return search(queryset, query)


# --- Who sees which dashboards ---------------------------------------------------------------------


def dashboard_accelerators(user) -> QuerySet[Accelerator]:
    """Accelerators with dashboards for ``user``: any grant there (a team seat is not enough)."""
    if not user.is_authenticated:
        return Accelerator.objects.none()
    if user.is_superuser:
        return Accelerator.objects.all()
    return Accelerator.objects.filter(Exists(AcceleratorRole.objects.filter(user=user, accelerator=OuterRef("pk"))))


def dashboard_index(user) -> list[Accelerator]:
    """The accelerators a person can open, each with how many of its cohorts they see (1 query)."""
    visible = cohorts_visible_to(user).filter(accelerator=OuterRef("pk")).order_by().values("accelerator")
    counted = visible.annotate(n=Count("pk")).values("n")
    return list(dashboard_accelerators(user).annotate(visible_cohorts=Coalesce(Subquery(counted), 0)).order_by("name"))


# --- Accelerator overview ---------------------------------------------------------------------------

# At or past the target now: achieved during acceleration, sustained after Day 100.
ACHIEVED_STATUSES = [Status.ACHIEVED, Status.SUSTAINED]


def accelerator_overview(*, user, accelerator: Accelerator) -> list[CohortResult]:
    """The accelerator's cohorts the user sees, with their results, in one aggregate query."""
    today = accelerator.local_today()
    cohorts = with_results(cohorts_visible_to(user).filter(accelerator=accelerator)).order_by("-number")
    results = []
    for cohort in cohorts.order_by("-number"):
        cohort.accelerator = accelerator
        results.append(result_on(cohort, today))
    return results


def cohort_result(*, cohort: Cohort, today: date) -> CohortResult:
    """One cohort's results, counted exactly as the overview counts them (one query)."""
    annotated = with_results(Cohort.objects.filter(pk=cohort.pk)).get()
    annotated.accelerator = cohort.accelerator
    return result_on(annotated, today)


@dataclass
class Breakdown:
    """Results of the challenges sharing one lead entity, or one field."""

    key: str
    label: str
    total: int
    achieved: int

    @property
    def achieved_pct(self) -> int:
        return round(100 * self.achieved / self.total) if self.total else 0


def results_by(*, cohort: Cohort, by: str) -> list[Breakdown]:
    """Achieved / total by ``lead_entity`` or by ``field``, as the overview counts them (one GROUP BY)."""
    key = {"lead_entity": "lead_entity__name", "field": "field"}[by]
    active = Q(withdrawn_at__isnull=True)
    rows = (
        Challenge.objects.filter(cohort=cohort)
        .order_by()
        .values(key)
        .annotate(
            total=Count("pk", filter=active), achieved=Count("pk", filter=active & Q(status__in=ACHIEVED_STATUSES))
        )
        .filter(total__gt=0)
        .order_by(key)
    )
    labels = dict(Field.choices) if by == "field" else {}
    return [Breakdown(r[key], str(labels.get(r[key], r[key])), r["total"], r["achieved"]) for r in rows]


# --- Cohort board ------------------------------------------------------------------------------------

# Most worrying first when sorting by status.
STATUS_ORDER = [
    Status.OFF_TRACK,
    Status.SLIPPING,
    Status.AT_RISK,
    Status.ON_TRACK,
    Status.ACHIEVED,
    Status.SUSTAINED,
    Status.NOT_STARTED,
    Status.WITHDRAWN,
]


def _rank(field_name: str, values: list) -> Case:
    return Case(
        *[When(**{field_name: value}, then=Value(rank)) for rank, value in enumerate(values)],
        default=Value(len(values)),
        output_field=IntegerField(),
    )


# Sort key (as it appears in the URL) → the ORDER BY it stands for. Nothing else is accepted.
SORTS: dict[str, list] = {
    "title": [F("title").asc()],
    "entity": [F("lead_entity__name").asc()],
    "lead": [F("team_lead_name").asc(nulls_last=True)],
    "phase": [F("phase_rank").asc(), F("phase_since").asc(nulls_first=True)],
    "day": [F("phase_rank").asc(), F("phase_since").asc(nulls_first=True)],
    "progress": [F("progress").asc()],
    "status": [F("status_rank").asc()],
    "checkin": [F("last_checkin_on").asc(nulls_first=True)],
    "stale": [F("is_stale").asc()],
}
DEFAULT_SORT = "title"


def _descending(orderings: list) -> list:
    flipped = []
    for ordering in orderings:
        expression = ordering.copy()
        expression.descending = not ordering.descending
        expression.nulls_first, expression.nulls_last = ordering.nulls_last, ordering.nulls_first
        flipped.append(expression)
    return flipped


def order_for(sort: str) -> list:
    """ORDER BY for a whitelisted sort key, ``-key`` for descending; unknown keys sort by title."""
    key = sort.removeprefix("-")
    orderings = SORTS.get(key, SORTS[DEFAULT_SORT])
    if sort.startswith("-") and key in SORTS:
        orderings = _descending(orderings)
    return [*orderings, F("title").asc(), F("pk").asc()]


@dataclass(frozen=True)
class BoardFilters:
    entity: int | None = None
    status: str = ""
    phase: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT


def _team_lead_name():
    """The team lead's name; someone only invited to the accelerator, as the invitation named them."""
    lead = Membership.objects.filter(challenge=OuterRef("pk"), role=Membership.Role.TEAM_LEAD).annotate(
        name=Coalesce(
            invited_as(user=OuterRef("user_id"), accelerator=OuterRef("challenge__cohort__accelerator_id")),
            NullIf(F("user__full_name"), Value("")),
            F("user__email"),
            output_field=CharField(),
        )
    )
    return Subquery(lead.values("name")[:1], output_field=CharField())


# Only what the board and its exports show: a narrower row is faster to send and to build.
BOARD_FIELDS = [
    "title",
    "cohort_id",
    "lead_entity__name",
    "unit",
    "baseline_value",
    "target_value",
    "phase",
    "phase_since",
    "current_value",
    "progress",
    "expected_progress",
    "status",
    "last_checkin_on",
    "is_stale",
]


def board_challenges(*, cohort: Cohort, filters: BoardFilters) -> QuerySet[Challenge]:
    """The cohort's challenges as filtered and sorted, with lead entity and team lead: 1 query."""
    challenges = Challenge.objects.filter(cohort=cohort)
    if filters.entity:
        challenges = challenges.filter(lead_entity_id=filters.entity)
    if filters.status:
        challenges = challenges.filter(status=filters.status)
    if filters.phase:
        challenges = challenges.filter(phase=filters.phase)
    challenges = search_titles(challenges, filters.q)
    return (
        challenges.select_related("lead_entity")
        .only(*BOARD_FIELDS)
        .annotate(
            team_lead_name=_team_lead_name(),
            phase_rank=_rank("phase", PHASE_ORDER),
            status_rank=_rank("status", STATUS_ORDER),
        )
        .order_by(*order_for(filters.sort))
    )


def report_challenges(*, cohort: Cohort) -> QuerySet[Challenge]:
    """Every challenge of the cohort whole (the reports draw charts from the goal's every field),
    with its lead entity and team lead, by title: 1 query."""
    return (
        Challenge.objects.filter(cohort=cohort)
        .select_related("lead_entity")
        .annotate(team_lead_name=_team_lead_name())
        .order_by("title", "pk")
    )


@dataclass
class BoardRow:
    """One table row: only stored values, plus the check-in's age for display."""

    id: int
    title: str
    lead_entity: str
    team_lead: str
    phase: str
    phase_label: str
    status: str
    status_label: str
    progress: float
    expected: float
    progress_pct: int
    bar_pct: int
    expected_pct: int
    current_value: object
    baseline_value: object
    target_value: object
    unit: str
    last_checkin_on: date | None
    checkin_age: int | None
    is_stale: bool
    # Beyond the target or below the baseline (``challenges.goals.standing``), and how that reads;
    # empty on the way, where the share of the way is the figure.
    standing: str = Standing.ON_THE_WAY
    standing_text: str = ""
    # Display strings, filled by the view (see ``dashboards.views._for_display``).
    url: str = ""
    progress_text: str = ""
    checkin_text: str = ""


def board_rows(*, cohort: Cohort, filters: BoardFilters, today: date) -> list[BoardRow]:
    """Every row of the board as filtered (exports, briefing): 1 query."""
    return rows_for(board_challenges(cohort=cohort, filters=filters), today=today)


def rows_for(challenges: Iterable[Challenge], *, today: date) -> list[BoardRow]:
    """Rows for challenges read by ``board_challenges`` (or a page of them): no further queries."""
    # Translated once per call, not once per row.
    phase_labels = {value: str(label) for value, label in Phase.choices}
    status_labels = {value: str(label) for value, label in Status.choices}
    rows = []
    for c in challenges:
        rows.append(
            BoardRow(
                id=c.pk,
                title=c.title,
                lead_entity=c.lead_entity.name,
                team_lead=c.team_lead_name or "",
                phase=c.phase,
                phase_label=phase_labels.get(c.phase, c.phase),
                status=c.status,
                status_label=status_labels.get(c.status, c.status),
                progress=c.progress,
                expected=c.expected_progress,
                progress_pct=round(100 * c.progress),
                bar_pct=min(max(round(100 * c.progress), 0), 100),
                expected_pct=min(max(round(100 * c.expected_progress), 0), 100),
                current_value=c.current_value,
                baseline_value=c.baseline_value,
                target_value=c.target_value,
                unit=c.unit,
                last_checkin_on=c.last_checkin_on,
                checkin_age=(today - c.last_checkin_on).days if c.last_checkin_on else None,
                is_stale=c.is_stale,
                standing=standing(c.progress),
                standing_text=_standing_text(c.progress),
            )
        )
    return rows


@dataclass
class StatusCount:
    status: str
    label: str
    count: int


def status_counts(*, cohort: Cohort) -> tuple[list[StatusCount], int]:
    """How many of the cohort's challenges are in each status (one GROUP BY), and the total."""
    counted = dict(
        Challenge.objects.filter(cohort=cohort)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    labels = dict(Status.choices)
    counts = [StatusCount(status, labels[status], counted[status]) for status in STATUS_ORDER if counted.get(status)]
    return counts, sum(counted.values())


def entity_choices(*, cohort: Cohort) -> list[tuple[int, str]]:
    """The entities leading at least one of the cohort's challenges (the entity filter's options)."""
    return list(
        Entity.objects.filter(Exists(Challenge.objects.filter(cohort=cohort, lead_entity=OuterRef("pk"))))
        .order_by("name")
        .values_list("pk", "name")
    )


# --- What a page shows, as the sources of its digest (``core.pagecache``) ----------------------------
#
# Each list names every table a page reads, narrowed to the rows it shows; the digest changes
# whenever one of those rows does, however it was written (a form, the clock's SQL, the admin, an
# import, a raw UPDATE), so a cached page never outlives its data.
#
# The cohort's and the accelerator's pages show a row of every challenge: instead of a row version
# of each (3,000 challenges, their team leads' seats and people: 10 ms a view), they read their
# cohorts' change stamps, which triggers write on every change of those rows (``CohortChange``).
# Check-ins count through their challenge, since every write of one (the form, a correction, the
# admin) rewrites its challenge row in the same transaction
# (``challenges.services.challenge_take_latest_checkin``); the challenge page, with one challenge's
# few, reads them directly.


def people_sources(accelerator_id: int) -> list[Rows]:
    """Who is only invited (``members.invitations.masked_names``): accepting an invitation, a grant
    or a new entity changes how a name is shown."""
    return [
        Rows(Invitation, "t.accelerator_id = %s", (accelerator_id,)),
        Rows(AcceleratorRole, "t.accelerator_id = %s", (accelerator_id,)),
    ]


def cohort_sources(cohort: Cohort) -> list[Rows]:
    """The board, its exports, its briefing and the cohort report: the cohort and its accelerator,
    the entities, who is only invited, and the cohort's change stamps, which stand for its challenges,
    their team leads' seats and people, and their artifacts and pledges (through the challenges,
    their check-ins: the chart).

    Of the teams, these pages name only the team lead (``_team_lead_name``): a change of another
    seat, a cohort's three in four, writes no stamp (a sponsor's seat changes nothing here)."""
    k, a = cohort.pk, cohort.accelerator_id
    return [
        Rows(Accelerator, "t.id = %s", (a,)),
        Rows(Cohort, "t.id = %s", (k,)),
        Rows(CohortChange, "t.cohort_id = %s", (k,), exact=True),
        Rows(Entity, "t.accelerator_id = %s", (a,)),
        *people_sources(a),
    ]


def accelerator_sources(*, user, accelerator: Accelerator) -> list[Rows]:
    """The overview and the accelerator report: the cohorts this reader sees, by id (another reader
    may see others), and their change stamps (their challenges, and through them their check-ins)."""
    visible, params = visible_cohorts_where(user, accelerator.pk, alias="t")
    of_visible, _same = visible_cohorts_where(user, accelerator.pk, alias="k")
    stamps = f"t.cohort_id IN (SELECT k.id FROM {Cohort._meta.db_table} k WHERE {of_visible})"
    return [
        Rows(Accelerator, "t.id = %s", (accelerator.pk,)),
        Rows(Cohort, visible, params, ids=True),
        Rows(CohortChange, stamps, params, exact=True),
    ]


# --- Cohort chart: mean progress per check-in period ---------------------------------------------------


@dataclass
class ChartPoint:
    day: int
    mean_progress: float
    reported: int

    @property
    def mean_pct(self) -> int:
        return round(100 * self.mean_progress)

    @property
    def expected_pct(self) -> int:
        return self.day


@dataclass
class CohortCurve:
    points: list[ChartPoint] = field(default_factory=list)
    today: int = 0
    total: int = 0  # the cohort's challenges (not withdrawn): what ``reported`` is out of

    @property
    def latest(self) -> ChartPoint | None:
        return self.points[-1] if self.points else None


def _curve_sql(periods: int) -> str:
    challenges, checkins = Challenge._meta.db_table, CheckIn._meta.db_table
    progress = f"{as_float('ci.value - ch.baseline_value')} / {as_float('ch.target_value - ch.baseline_value')}"
    numbers = ", ".join(f"({n})" for n in range(1, periods + 1))
    # Each check-in stands for its challenge from its own period until the challenge's next one.
    return f"""
        WITH periods(n) AS (VALUES {numbers}),
        spans AS (
            SELECT ci.period AS first_n,
                   COALESCE(LEAD(ci.period) OVER (PARTITION BY ci.challenge_id ORDER BY ci.period) - 1, %s) AS last_n,
                   {progress} AS progress
            FROM {checkins} ci JOIN {challenges} ch ON ch.id = ci.challenge_id
            WHERE ch.cohort_id = %s AND ch.withdrawn_at IS NULL AND ci.period BETWEEN 1 AND %s
        )
        SELECT p.n, AVG(spans.progress), COUNT(*),
               (SELECT COUNT(*) FROM {challenges} WHERE cohort_id = %s AND withdrawn_at IS NULL)
        FROM periods p JOIN spans ON p.n BETWEEN spans.first_n AND spans.last_n
        GROUP BY p.n ORDER BY p.n"""


def cohort_progress_curve(*, cohort: Cohort, today: date) -> CohortCurve:
    """Mean progress of the cohort over the 100 days, one point per check-in period so far: 1 query.

    Each challenge counts at every period with its latest value so far (carried forward from its
    last check-in), so a point is the mean over every challenge that has reported by then, never
    over the few that reported in that one period; ``reported`` says how many that is, of
    ``total``. A point sits on its period's due day (the last one on Day 100, ``challenges.periods``),
    or on today for the period still running.
    """
    cadence = cohort.accelerator.checkin_cadence_days
    day = clamped_day(cohort, today)
    last = periods.period_number(cohort=cohort, cadence=cadence, day=cohort.launch_date + timedelta(days=day))
    if not last:
        return CohortCurve(today=day)
    with reading_connection().cursor() as cursor:
        cursor.execute(_curve_sql(last), [last, cohort.pk, last, cohort.pk])
        rows = cursor.fetchall()
    # A period still running is drawn at today, not at its due day still to come.
    due_days = {n: cohort.day_number(periods.period(cohort=cohort, cadence=cadence, number=n).due_on) for n, *_ in rows}
    points = [ChartPoint(min(due_days[n], day), mean, reported) for n, mean, reported, _total in rows]
    return CohortCurve(points=points, today=day, total=rows[0][3] if rows else 0)


def _standing_text(progress: float) -> str:
    """ "Beyond target (130%)", "Below baseline (−20%)"; empty on the way (no translation per row)."""
    return "" if standing(progress) == Standing.ON_THE_WAY else capfirst(progress_text(progress))
