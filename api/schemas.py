"""What the API reads and writes, as the OpenAPI document describes it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from ninja import Field, Schema

from challenges.models import Status
from cohorts.calendar import Phase
from cohorts.models import Cohort


def _enum(name: str, choices) -> type[Enum]:
    """A filter's values, named for the OpenAPI document (the models' enums share the name Status)."""
    return Enum(name, {value: value for value in choices.values}, type=str)


CohortStatus = _enum("CohortStatus", Cohort.Status)
ChallengeStatus = _enum("ChallengeStatus", Status)
ChallengePhase = _enum("ChallengePhase", Phase)


class Problem(Schema):
    """Problem Details (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, list[str]] | None = None


class Page(Schema):
    count: int
    limit: int
    offset: int
    next_offset: int | None


class AcceleratorOut(Schema):
    slug: str
    name: str
    country: str
    time_zone: str
    default_language: str
    sustainment_days: int
    checkin_cadence_days: int


class AcceleratorPage(Page):
    results: list[AcceleratorOut]


class CohortResults(Schema):
    total: int = Field(description="Challenges not withdrawn.")
    achieved: int
    achieved_pct: int
    mean_progress: float | None = Field(description="Mean progress of the challenges past design (1.0 is 100%).")
    after_day_100: int
    sustained: int
    withdrawn: int


class CohortOut(Schema):
    id: int
    accelerator: str
    number: int
    name: str
    status: str = Field(description="draft or launched")
    phase: str = Field(description="draft, design, acceleration, sustainment or closed")
    day: int = Field(description="Day n of the 100, held between 0 and 100.")
    design_start: date
    launch_date: date
    day_hundred: date
    sustainment_ends: date
    results: CohortResults


class CohortPage(Page):
    results: list[CohortOut]


class EntityOut(Schema):
    id: int
    name: str


class ChallengeOut(Schema):
    id: int
    cohort_id: int
    accelerator: str
    title: str
    lead_entity: EntityOut
    metric: str
    unit: str
    direction: str
    baseline_value: Decimal
    target_value: Decimal
    current_value: Decimal | None
    phase: str
    phase_since: date | None
    day: int = Field(description="Day number counted from the launch (Day 0); negative during design.")
    day_of_100: int = Field(description="Day n of the 100, held between 0 and 100.")
    progress: float = Field(description="(current - baseline) / (target - baseline); 1.0 is the target.")
    expected_progress: float
    status: str
    last_checkin_on: date | None
    is_stale: bool
    withdrawn: bool


class ChallengePage(Page):
    results: list[ChallengeOut]


class TransitionOut(Schema):
    from_phase: str
    to_phase: str
    effective_on: date
    recorded_at: datetime


class StationOut(Schema):
    id: int
    kind: str
    name: str
    due_on: date
    state: str
    done_on: date | None


class CheckInOut(Schema):
    id: int
    challenge_id: int
    period: int
    reported_on: date
    value: Decimal
    done: str
    next_steps: str
    confidence: int
    version: int
    created_at: datetime
    updated_at: datetime


class CheckInPage(Page):
    results: list[CheckInOut]


class ChallengeDetailOut(ChallengeOut):
    goal_statement: str
    latest_checkins: list[CheckInOut] = Field(description="The newest check-ins, newest first.")
    transitions: list[TransitionOut]
    stations: list[StationOut]


class CheckInIn(Schema):
    """This period's check-in, checked as the challenge page's form checks it.

    ``value``, ``done`` and ``confidence`` (1-5) are required; they are optional here only so that
    the form's own translated messages say what is missing.
    """

    value: Decimal | None = None
    done: str | None = None
    next_steps: str | None = None
    confidence: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    version: int | None = Field(None, ge=-(2**31), le=2**31 - 1, description="The version being corrected.")


class CheckInPosted(Schema):
    checkin: CheckInOut
    corrected: bool
    merged: bool
