"""The status thresholds are written once (``challenges.status``): the SQL the clock runs is built
from the same ladder as ``status_for``, and both give the same answer on the same cases."""

import pytest
from django.db import connection

from challenges.models import Status
from challenges.status import AT_RISK_MARGIN, ON_TRACK_MARGIN, status_for, status_sql
from cohorts.calendar import Phase
from core.sql import as_float

pytestmark = pytest.mark.django_db

EXPECTED = [0.0, 0.3, 0.5, 0.64, 1.0]
# Every threshold, a hair either side of it, and far beyond: the ladder's edges are where copies drift.
PROGRESS = sorted(
    {-0.5, 0.0, 0.2, 1.0, 1.0 - 1e-12, 1.0 - 1e-6, 1.3}
    | {e - m + d for e in EXPECTED for m in (ON_TRACK_MARGIN, AT_RISK_MARGIN) for d in (-1e-6, 0.0, 1e-6)}
)
PHASES = [Phase.DESIGN, Phase.ACCELERATION, Phase.SUSTAINMENT, Phase.CLOSED]


def sql_status(phase: str, progress: float, expected: float) -> str:
    """The clock's SQL rule evaluated by the database itself on literal values."""
    expression = status_sql(progress=as_float(repr(progress)), expected=as_float(repr(expected)), phase=f"'{phase}'")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("phase", PHASES)
def test_sql_and_python_agree_on_every_threshold(phase):
    disagreements = [
        (progress, expected, sql, python)
        for expected in EXPECTED
        for progress in PROGRESS
        if (sql := sql_status(phase, progress, expected))
        != (python := status_for(phase=phase, progress=progress, expected=expected)).value
    ]
    assert disagreements == []


def test_the_ladder_reads_as_the_readme_says():
    assert status_for(phase=Phase.DESIGN, progress=2.0, expected=0.0) == Status.NOT_STARTED
    assert status_for(phase=Phase.ACCELERATION, progress=0.40, expected=0.50) == Status.ON_TRACK
    assert status_for(phase=Phase.ACCELERATION, progress=0.39, expected=0.50) == Status.AT_RISK
    assert status_for(phase=Phase.ACCELERATION, progress=0.25, expected=0.50) == Status.AT_RISK
    assert status_for(phase=Phase.ACCELERATION, progress=0.24, expected=0.50) == Status.OFF_TRACK
    assert status_for(phase=Phase.ACCELERATION, progress=1.0, expected=0.50) == Status.ACHIEVED
    assert status_for(phase=Phase.SUSTAINMENT, progress=1.0, expected=1.0) == Status.SUSTAINED
    assert status_for(phase=Phase.CLOSED, progress=0.99, expected=1.0) == Status.SLIPPING
    assert status_for(phase=Phase.ACCELERATION, progress=1.0, expected=0.5, withdrawn=True) == Status.WITHDRAWN
