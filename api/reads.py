"""The API's reads: accelerators, cohorts, challenges and check-ins, paginated and filtered.

Numbers come from the same stored columns and aggregates as the dashboards
(``dashboards.selectors.with_results``, the clock's progress and status), so the API and the
board never disagree. Each list is a fixed number of queries whatever the page size.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from ninja import Path, Query, Router

from challenges.models import CheckIn
from challenges.results import clamped_day, cohort_result, with_results

from . import schemas
from .schemas import Problem

router = Router(tags=["read"])

MAX_LIMIT = 200
# Ids and offsets beyond a bigint are refused as input (422), never sent to the database.
MAX_ID = 2**63 - 1
MAX_OFFSET = 10**9
ID = {"ge": 1, "le": MAX_ID}
LATEST_CHECKINS = 5
ERRORS = {401: Problem, 404: Problem, 422: Problem, 429: Problem}


def _paginate(queryset, limit: int, offset: int) -> tuple[list, dict]:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    count = queryset.count()
    rows = list(queryset[offset : offset + limit])
    following = offset + limit if offset + limit < count else None
    return rows, {"count": count, "limit": limit, "offset": offset, "next_offset": following}


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
def list_accelerators(request, limit: int = Query(50, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    """The accelerators the caller may see (a token: its own)."""
    rows, page = _paginate(_principal(request).accelerators().order_by("name", "pk"), limit, offset)
    return {**page, "results": [_accelerator(a) for a in rows]}


@router.get("/accelerators/{slug}", response={200: schemas.AcceleratorOut, **ERRORS}, url_name="api_accelerator")
def get_accelerator(request, slug: str):
    accelerator = _principal(request).accelerators().filter(slug=slug).first()
    if accelerator is None:
        raise Http404
    return _accelerator(accelerator)


# --- Cohorts ------------------------------------------------------------------------------------


def _cohort(cohort) -> dict:
    result = cohort_result(cohort, cohort.accelerator.local_today())
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


def _cohorts(request):
    return with_results(_principal(request).cohorts()).select_related("accelerator")


@router.get("/cohorts", response={200: schemas.CohortPage, **ERRORS}, url_name="api_cohorts")
def list_cohorts(
    request,
    accelerator: str | None = Query(None, description="An accelerator's slug."),
    status: schemas.CohortStatus | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The cohorts the caller may see, with their results (the accelerator overview's numbers)."""
    cohorts = _cohorts(request)
    if accelerator:
        cohorts = cohorts.filter(accelerator__slug=accelerator)
    if status:
        cohorts = cohorts.filter(status=status.value)
    rows, page = _paginate(cohorts.order_by("accelerator__name", "-number", "pk"), limit, offset)
    return {**page, "results": [_cohort(c) for c in rows]}


@router.get("/cohorts/{int:cohort_id}", response={200: schemas.CohortOut, **ERRORS}, url_name="api_cohort")
def get_cohort(request, cohort_id: int = Path(..., **ID)):
    cohort = _cohorts(request).filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    return _cohort(cohort)


# --- Challenges ---------------------------------------------------------------------------------


CHECKIN_FIELDS = [
    *("id", "challenge_id", "period", "reported_on", "value", "done", "next_steps", "confidence", "version"),
    *("created_at", "updated_at"),
]
TRANSITION_FIELDS = ["from_phase", "to_phase", "effective_on", "recorded_at"]


def _checkin(checkin) -> dict:
    fields = ["id", "challenge_id", "period", "reported_on", "value", "done", "next_steps", "confidence", "version"]
    return {
        **{name: getattr(checkin, name) for name in fields},
        "created_at": checkin.created_at,
        "updated_at": checkin.updated_at,
    }


def _challenge(challenge) -> dict:
    cohort = challenge.cohort
    today = cohort.accelerator.local_today()
    return {
        "id": challenge.pk,
        "cohort_id": challenge.cohort_id,
        "accelerator": cohort.accelerator.slug,
        "title": challenge.title,
        "lead_entity": {"id": challenge.lead_entity_id, "name": challenge.lead_entity.name},
        "metric": challenge.metric,
        "unit": challenge.unit,
        "direction": challenge.direction,
        "baseline_value": challenge.baseline_value,
        "target_value": challenge.target_value,
        "current_value": challenge.current_value,
        "phase": challenge.phase,
        "phase_since": challenge.phase_since,
        "day": cohort.day_number(today),
        "day_of_100": clamped_day(cohort, today),
        "progress": challenge.progress,
        "expected_progress": challenge.expected_progress,
        "status": challenge.status,
        "last_checkin_on": challenge.last_checkin_on,
        "is_stale": challenge.is_stale,
        "withdrawn": challenge.withdrawn_at is not None,
    }


def _challenges(request):
    return _principal(request).challenges().select_related("cohort__accelerator", "lead_entity")


@router.get("/challenges", response={200: schemas.ChallengePage, **ERRORS}, url_name="api_challenges")
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
    rows, page = _paginate(challenges.order_by("cohort_id", "title", "pk"), limit, offset)
    return {**page, "results": [_challenge(c) for c in rows]}


@router.get(
    "/challenges/{int:challenge_id}", response={200: schemas.ChallengeDetailOut, **ERRORS}, url_name="api_challenge"
)
def get_challenge(request, challenge_id: int = Path(..., **ID)):
    """One challenge with its latest check-ins, its phase transitions and its stations."""
    challenge = (
        _challenges(request)
        .prefetch_related("transitions", "stations", Prefetch("checkins", queryset=CheckIn.objects.order_by("-period")))
        .filter(pk=challenge_id)
        .first()
    )
    if challenge is None:
        raise Http404
    today = challenge.cohort.accelerator.local_today()
    return {
        **_challenge(challenge),
        "goal_statement": challenge.goal_statement,
        "latest_checkins": [_checkin(c) for c in list(challenge.checkins.all())[:LATEST_CHECKINS]],
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
                "id": s.pk,
                "kind": s.kind,
                "name": s.label,
                "due_on": s.due_on,
                "state": s.state_on(today),
                "done_on": s.done_on,
            }
            for s in challenge.stations.all()
        ],
    }


@router.get("/checkins", response={200: schemas.CheckInPage, **ERRORS}, url_name="api_checkins")
def list_checkins(
    request,
    challenge: int | None = Query(None, description="A challenge's id.", **ID),
    cohort: int | None = Query(None, description="A cohort's id.", **ID),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Check-ins of the challenges the caller may see, newest first."""
    checkins = CheckIn.objects.filter(challenge__in=_principal(request).challenges().values("pk"))
    if challenge is not None:
        checkins = checkins.filter(challenge_id=challenge)
    if cohort is not None:
        checkins = checkins.filter(challenge__cohort_id=cohort)
    rows, page = _paginate(checkins.order_by("-created_at", "-pk"), limit, offset)
    return {**page, "results": [_checkin(c) for c in rows]}
