"""The clock at scale, pinned by what is deterministic: its statement count and its Python memory.

Times are never asserted (machines are noisy); ``manage.py bench`` measures them.
"""

import tracemalloc
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges import clock
from challenges.models import Challenge, PhaseTransition
from cohorts.calendar import Phase
from tests.factories import AcceleratorFactory, CohortFactory, EntityFactory

pytestmark = pytest.mark.django_db

LAUNCH = date(2026, 3, 1)
# Day 150: every challenge passes design → acceleration → sustainment in one tick.
NOW = datetime.combine(LAUNCH + timedelta(days=150), time(6), tzinfo=UTC)


def due_challenges(count: int, *, cohorts: int = 2) -> list[int]:
    """``count`` challenges, all due, spread over a few cohorts; inserted in bulk."""
    accelerator = AcceleratorFactory(time_zone="Asia/Tashkent")
    entity = EntityFactory(accelerator=accelerator)
    batch = [
        CohortFactory(accelerator=accelerator, launch_date=LAUNCH, design_start=LAUNCH - timedelta(days=40))
        for _ in range(cohorts)
    ]
    rows = [
        Challenge(
            cohort=batch[n % cohorts],
            title=f"Challenge {n}",
            lead_entity=entity,
            metric="Waiting time",
            unit="days",
            direction="decrease",
            baseline_value=Decimal("40"),
            target_value=Decimal("20"),
            current_value=Decimal("30"),
        )
        for n in range(count)
    ]
    Challenge.objects.bulk_create(rows, batch_size=1000)
    return [accelerator.id]


def statements_of_a_tick(count: int) -> int:
    accelerator_ids = due_challenges(count)
    with CaptureQueriesContext(connection) as queries:
        result = clock.clock_tick(now=NOW, accelerator_ids=accelerator_ids, notify=False)
    assert len(result.transitions) == 2 * count
    return len(queries.captured_queries)


def test_it_runs_the_same_statements_for_10_and_300_challenges():
    small = statements_of_a_tick(10)
    large = statements_of_a_tick(300)
    assert small == large
    assert Challenge.objects.filter(phase=Phase.SUSTAINMENT).count() == 310


def test_a_second_tick_runs_no_more_statements_than_the_first():
    accelerator_ids = due_challenges(50)
    with CaptureQueriesContext(connection) as first:
        clock.clock_tick(now=NOW, accelerator_ids=accelerator_ids, notify=False)
    with CaptureQueriesContext(connection) as second:
        result = clock.clock_tick(now=NOW, accelerator_ids=accelerator_ids, notify=False)
    assert result.transitions == []
    assert len(second.captured_queries) <= len(first.captured_queries)


def test_its_python_memory_stays_small_for_2000_challenges():
    """The work happens in the database: Python holds only the transitions it reports."""
    accelerator_ids = due_challenges(2000, cohorts=4)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        clock.clock_tick(now=NOW, accelerator_ids=accelerator_ids, notify=False)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert PhaseTransition.objects.count() == 4000
    print(f"tracemalloc peak for 2,000 challenges: {peak / 1024 / 1024:.2f} MiB")
    assert peak < 4 * 1024 * 1024
