"""The API's reads: accelerators, cohorts, challenges and check-ins, paginated and filtered.

Numbers come from the same stored columns and aggregates as the dashboards
(``dashboards.selectors.with_results``, the clock's progress and status), so the API and the
board never disagree. A token's lists are kept per state of their data (``cache``). Each list is
one query for its page and its count together (the count a subquery the database runs once,
``_CountOf``), whatever the page size or the data.

The schemas in ``schemas.py`` document the responses (the OpenAPI document); the reads build
their bodies straight from the rows (``.values()`` for the long lists) and render them as JSON
themselves rather than having pydantic validate every item: ``tests/api/test_reads.py`` checks
each body against its schema, and schemathesis checks every response against the document.
"""

from __future__ import annotations

import json
from datetime import date

from django.db.models import IntegerField, Subquery
from django.http import Http404, HttpResponse
from ninja import Path, Query, Router
from ninja.responses import NinjaJSONEncoder

from challenges.models import Challenge
from challenges.results import cohort_result, with_results
from cohorts.calendar import day_in_acceleration, day_number
from cohorts.models import Accelerator

from . import schemas
from .cache import JSON, kept_for_tokens
from .schemas import Problem

router = Router(tags=["read"])

MAX_LIMIT = 200
# Ids and offsets beyond a bigint are refused as input (422), never sent to the database.
MAX_ID = 2**63 - 1
MAX_OFFSET = 10**9
ID = {"ge": 1, "le": MAX_ID}
LATEST_CHECKINS = 5
ERRORS = {401: Problem, 404: Problem, 422: Problem, 429: Problem}


class _CountOf(Subquery):
    """``(SELECT COUNT(*) FROM (…))``: the rows of a queryset counted inside the query that reads a page
    of them. Not correlated, so the database counts once (an InitPlan) and still reads the page
    itself in its order and stops at its last row, where a window ``COUNT(*) OVER ()`` makes it read
    and sort every row first (the check-ins list at 70,000 rows: seconds)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _paginate(queryset, limit: int, offset: int, *, values: tuple[str, ...] = (), then=None) -> tuple[list, dict]:
    """One page and the count of all rows in one query (rows as dicts when ``values`` are named).

    ``then`` adds what is worked out per row (aggregates) to the page's rows only: the page is picked
    first, in a subquery, so the database aggregates 50 rows, not every row it counts.
    Only a page past the end (no row to carry the count) costs a second query, for the count.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = _CountOf(queryset.order_by().values("pk"))
    start = offset
    if then is not None:
        page = queryset.values("pk")[offset : offset + limit]
        queryset = then(queryset.model.objects.filter(pk__in=page)).order_by(*queryset.query.order_by)
        start = 0
    if values:
        queryset = queryset.values(*values)
    rows = list(queryset.annotate(full_count=total)[start : start + limit])
    if rows:
        count = rows[0]["full_count"] if values else rows[0].full_count
    else:
        count = queryset.count() if offset else 0
    following = offset + limit if offset + limit < count else None
    return rows, {"count": count, "limit": limit, "offset": offset, "next_offset": following}


def _json(data: dict) -> HttpResponse:
    """The body as django-ninja's renderer would write it (the same encoder, so the same ETag)."""
    return HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), content_type=JSON)


class _LocalToday(dict):
    """Today in each accelerator's time zone, worked out once per request (``Accelerator.local_today``)."""

    def __missing__(self, time_zone: str) -> date:
        self[time_zone] = today = Accelerator(time_zone=time_zone).local_today()
        return today


def _principal(request):
    return request.auth


# --- Accelerators -------------------------------------------------------------------------------


def _accelerator(accelerator) -> dict:
    fields = ["slug", "name", "country", "time_zone", "default_language", "sustainment_days"]
    return {
        **{name: getattr(accelerator, name) for name in fields},
        "checkin_cadence_days": accelerator.checkin_cadence_days,
    }


@router.get("/accelerators", response={200: schemas.AcceleratorPage, **ERRORS}, url_name="api_accelerators")
@kept_for_tokens
def list_accelerators(request, limit: int = Query(50, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    """The accelerators the caller may see (a token: its own)."""
    rows, page = _paginate(_principal(request).accelerators().order_by("name", "pk"), limit, offset)
    return _json({**page, "results": [_accelerator(a) for a in rows]})


@router.get("/accelerators/{slug}", response={200: schemas.AcceleratorOut, **ERRORS}, url_name="api_accelerator")
def get_accelerator(request, slug: str):
    accelerator = _principal(request).accelerators().filter(slug=slug).first()
    if accelerator is None:
        raise Http404
    return _json(_accelerator(accelerator))


# --- Cohorts ------------------------------------------------------------------------------------


def _cohort(cohort, today: date) -> dict:
    result = cohort_result(cohort, today)
    return {
        "id": cohort.pk,
        "accelerator": cohort.accelerator.slug,
        "number": cohort.number,
        "name": cohort.name,
        "status": cohort.status,
        "phase": result.phase,
        "day": result.day,
        "design_start": cohort.design_start,
        "launch_date": cohort.launch_date,
        "day_hundred": cohort.day_hundred,
        "sustainment_ends": cohort.sustainment_ends,
        "results": {
            "total": result.total,
            "achieved": result.achieved,
            "achieved_pct": result.achieved_pct,
            "mean_progress": result.mean_progress,
            "after_day_100": result.after_day_100,
            "sustained": result.sustained,
            "withdrawn": result.withdrawn,
        },
    }


def _with_results(cohorts):
    return with_results(cohorts).select_related("accelerator")


def _cohorts(request):
    return _with_results(_principal(request).cohorts())


@router.get("/cohorts", response={200: schemas.CohortPage, **ERRORS}, url_name="api_cohorts")
@kept_for_tokens
def list_cohorts(
    request,
    accelerator: str | None = Query(None, description="An accelerator's slug."),
    status: schemas.CohortStatus | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The cohorts the caller may see, with their results (the accelerator overview's numbers)."""
    cohorts = _principal(request).cohorts()
    if accelerator:
        cohorts = cohorts.filter(accelerator__slug=accelerator)
    if status:
        cohorts = cohorts.filter(status=status.value)
    ordered = cohorts.order_by("accelerator__name", "-number", "pk")
    rows, page = _paginate(ordered, limit, offset, then=_with_results)
    today = _LocalToday()
    return _json({**page, "results": [_cohort(c, today[c.accelerator.time_zone]) for c in rows]})


@router.get("/cohorts/{int:cohort_id}", response={200: schemas.CohortOut, **ERRORS}, url_name="api_cohort")
def get_cohort(request, cohort_id: int = Path(..., **ID)):
    cohort = _cohorts(request).filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    return _json(_cohort(cohort, cohort.accelerator.local_today()))


# --- Challenges ---------------------------------------------------------------------------------


CHECKIN_FIELDS = (
    *("id", "challenge_id", "period", "reported_on", "value", "done", "next_steps", "confidence", "version"),
    *("created_at", "updated_at"),
)
# What a challenge's line is read from: its own stored columns and its cohort's dates.
CHALLENGE_VALUES = (
    *("id", "cohort_id", "cohort__accelerator__slug", "cohort__accelerator__time_zone", "cohort__launch_date"),
    *("title", "lead_entity_id", "lead_entity__name", "metric", "unit", "direction"),
    *("baseline_value", "target_value", "current_value", "phase", "phase_since", "progress", "expected_progress"),
    *("status", "last_checkin_on", "is_stale", "withdrawn_at"),
)


def _checkin(row: dict) -> dict:
    return {name: row[name] for name in CHECKIN_FIELDS}


def _challenge(row: dict, today: date) -> dict:
    day = day_number(row["cohort__launch_date"], today)
    return {
        "id": row["id"],
        "cohort_id": row["cohort_id"],
        "accelerator": row["cohort__accelerator__slug"],
        "title": row["title"],
        "lead_entity": {"id": row["lead_entity_id"], "name": row["lead_entity__name"]},
        "metric": row["metric"],
        "unit": row["unit"],
        "direction": row["direction"],
        "baseline_value": row["baseline_value"],
        "target_value": row["target_value"],
        "current_value": row["current_value"],
        "phase": row["phase"],
        "phase_since": row["phase_since"],
        "day": day,
        "day_of_100": day_in_acceleration(day),
        "progress": row["progress"],
        "expected_progress": row["expected_progress"],
        "status": row["status"],
        "last_checkin_on": row["last_checkin_on"],
        "is_stale": row["is_stale"],
        "withdrawn": row["withdrawn_at"] is not None,
    }


def _challenges(request):
    return _principal(request).challenges()


@router.get("/challenges", response={200: schemas.ChallengePage, **ERRORS}, url_name="api_challenges")
@kept_for_tokens
def list_challenges(
    request,
    cohort: int | None = Query(None, description="A cohort's id.", **ID),
    phase: schemas.ChallengePhase | None = None,
    status: schemas.ChallengeStatus | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The challenges the caller may see: phase, day, progress against expected, status, latest value."""
    challenges = _challenges(request)
    if cohort is not None:
        challenges = challenges.filter(cohort_id=cohort)
    if phase:
        challenges = challenges.filter(phase=phase.value)
    if status:
        challenges = challenges.filter(status=status.value)
    rows, page = _paginate(challenges.order_by("cohort_id", "title", "pk"), limit, offset, values=CHALLENGE_VALUES)
    today = _LocalToday()
    return _json({**page, "results": [_challenge(row, today[row["cohort__accelerator__time_zone"]]) for row in rows]})


@router.get(
    "/challenges/{int:challenge_id}", response={200: schemas.ChallengeDetailOut, **ERRORS}, url_name="api_challenge"
)
def get_challenge(request, challenge_id: int = Path(..., **ID)):
    """One challenge with its latest check-ins, its phase transitions and its stations."""
    row = _challenges(request).filter(pk=challenge_id).values(*CHALLENGE_VALUES, "goal_statement").first()
    if row is None:
        raise Http404
    challenge = Challenge(pk=row["id"])  # only to follow its relations
    today = _LocalToday()[row["cohort__accelerator__time_zone"]]
    checkins = challenge.checkins.order_by("-period").values(*CHECKIN_FIELDS)[:LATEST_CHECKINS]
    return _json(
        {
            **_challenge(row, today),
            "goal_statement": row["goal_statement"],
            "latest_checkins": [_checkin(c) for c in checkins],
            "transitions": [
                {
                    "from_phase": t.from_phase,
                    "to_phase": t.to_phase,
                    "effective_on": t.effective_on,
                    "recorded_at": t.recorded_at,
                }
                for t in challenge.transitions.all()
            ],
            "stations": [
                {
                    "id": station.pk,
                    "kind": station.kind,
                    "name": station.label,
                    "due_on": station.due_on,
                    "state": station.state_on(today),
                    "done_on": station.done_on,
                }
                for station in challenge.stations.all()
            ],
        }
    )


@router.get("/checkins", response={200: schemas.CheckInPage, **ERRORS}, url_name="api_checkins")
@kept_for_tokens
def list_checkins(
    request,
    challenge: int | None = Query(None, description="A challenge's id.", **ID),
    cohort: int | None = Query(None, description="A cohort's id.", **ID),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Check-ins of the challenges the caller may see, newest first."""
    checkins = _principal(request).checkins()
    if challenge is not None:
        checkins = checkins.filter(challenge_id=challenge)
    if cohort is not None:
        checkins = checkins.filter(challenge__cohort_id=cohort)
    rows, page = _paginate(checkins.order_by("-created_at", "-pk"), limit, offset, values=CHECKIN_FIELDS)
    return _json({**page, "results": [_checkin(row) for row in rows]})
