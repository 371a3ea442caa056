"""The status thresholds are written once (``challenges.status``): the SQL the clock runs is built
from the same ladder as ``status_for``, both compare exactly on the goal's decimals, and they give
the same answer on the same cases, at every threshold, for huge and tiny goals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from challenges import clock
from challenges.models import Status
from challenges.status import AT_RISK_MARGIN, ON_TRACK_MARGIN, gain_and_span, gain_sql, span_sql, status_for, status_sql
from cohorts.calendar import Phase
from tests.challenges.test_clock import LAUNCH, at_local, make_challenge

pytestmark = pytest.mark.django_db

DAYS = [0, 30, 50, 64, 100]
PHASES = [Phase.DESIGN, Phase.ACCELERATION, Phase.SUSTAINMENT, Phase.CLOSED]
GOALS = [  # (baseline, target): a plain one, a decrease, a huge span and a tiny one
    (Decimal("100"), Decimal("200")),
    (Decimal("40"), Decimal("20")),
    (Decimal("0"), Decimal("1000000")),
    (Decimal("0.0000"), Decimal("0.0010")),
]
TICK = Decimal("0.0001")  # the goal's smallest step (METRIC_DIGITS)


def values_around_every_threshold(baseline: Decimal, target: Decimal) -> list[Decimal]:
    span = target - baseline
    points = [100] + [day - margin for day in DAYS for margin in (ON_TRACK_MARGIN, AT_RISK_MARGIN)]
    values = {baseline - span, baseline, target + span}
    for pct in points:
        exact = baseline + span * pct / 100
        values |= {exact, exact - TICK, exact + TICK}
    return sorted(v.quantize(TICK) for v in values)


def sql_status(phase: str, value: Decimal, baseline: Decimal, target: Decimal, day: int) -> str:
    """The clock's SQL rule evaluated by the database itself, on literal decimals."""
    literal = {"value": f"CAST({value} AS DECIMAL(18, 4))", "baseline": f"CAST({baseline} AS DECIMAL(18, 4))"}
    literal["target"] = f"CAST({target} AS DECIMAL(18, 4))"
    span = span_sql(baseline=literal["baseline"], target=literal["target"])
    expression = status_sql(gain=gain_sql(**literal), span=span, day=str(day), phase=f"'{phase}'")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize(("baseline", "target"), GOALS)
def test_sql_and_python_agree_on_every_threshold(phase, baseline, target):
    disagreements = []
    for day in DAYS:
        for value in values_around_every_threshold(baseline, target):
            gain, span = gain_and_span(value=value, baseline=baseline, target=target)
            python = status_for(phase=phase, gain=gain, span=span, day=day).value
            if (sql := sql_status(phase, value, baseline, target, day)) != python:
                disagreements.append((day, value, sql, python))
    assert disagreements == []


def status_of(value: str, baseline: str = "0", target: str = "1000000", day: int = 60, phase=Phase.ACCELERATION):
    gain, span = gain_and_span(value=Decimal(value), baseline=Decimal(baseline), target=Decimal(target))
    return status_for(phase=phase, gain=gain, span=span, day=day)


def test_a_hair_short_of_the_target_is_not_achieved():
    """Found by an independent check of the clock: with a 1e-9 tolerance on the float share,
    999,999.9999 of a 0 → 1,000,000 goal counted as achieved (Day 60) and sustained (Day 150)."""
    assert status_of("999999.9999") == Status.ON_TRACK
    assert status_of("1000000") == Status.ACHIEVED
    assert status_of("999999.9999", phase=Phase.SUSTAINMENT) == Status.SLIPPING
    assert status_of("499999.9999") == Status.AT_RISK  # on track needs 50 % at Day 60
    assert status_of("500000") == Status.ON_TRACK


def test_the_clock_stores_the_exact_status():
    challenge = make_challenge(
        "Asia/Dubai",
        direction="increase",
        baseline_value=Decimal("0"),
        target_value=Decimal("1000000"),
        current_value=Decimal("999999.9999"),
    )
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=60), 9), notify=False)
    challenge.refresh_from_db()
    assert challenge.status == Status.ON_TRACK
    clock.clock_tick(now=at_local("Asia/Dubai", LAUNCH + timedelta(days=150), 9), notify=False)
    challenge.refresh_from_db()
    assert challenge.status == Status.SLIPPING


def test_the_ladder_reads_as_the_readme_says():
    assert status_of("2000000", phase=Phase.DESIGN) == Status.NOT_STARTED
    assert status_of("40", baseline="0", target="100", day=50) == Status.ON_TRACK
    assert status_of("39", baseline="0", target="100", day=50) == Status.AT_RISK
    assert status_of("25", baseline="0", target="100", day=50) == Status.AT_RISK
    assert status_of("24", baseline="0", target="100", day=50) == Status.OFF_TRACK
    assert status_of("20", baseline="40", target="20", day=50) == Status.ACHIEVED
    assert status_of("100", baseline="0", target="100", day=100, phase=Phase.SUSTAINMENT) == Status.SUSTAINED
    assert status_of("99", baseline="0", target="100", day=100, phase=Phase.CLOSED) == Status.SLIPPING
    gain, span = gain_and_span(value=Decimal("1"), baseline=Decimal("0"), target=Decimal("1"))
    assert status_for(phase=Phase.ACCELERATION, gain=gain, span=span, day=50, withdrawn=True) == Status.WITHDRAWN
