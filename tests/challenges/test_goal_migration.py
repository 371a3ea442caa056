"""Goals stored before they had a kind of unit migrate with every row kept (0104): a "%" goal
inside 0–100 becomes a percentage, a goal below zero gets its lowest value as its lower bound."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.core.test_migrations_from_main import _migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("challenges", "0104_challenge_refreshed_on"), ("program_admin", "0002_import_preview")]


def _fill(old) -> dict[str, int]:
    accelerator = old.get_model("cohorts", "Accelerator").objects.create(
        name="Accelerator", slug="goals", country="UZ", time_zone="Asia/Tashkent"
    )
    entity = old.get_model("cohorts", "Entity").objects.create(accelerator=accelerator, name="Ministry")
    cohort = old.get_model("cohorts", "Cohort").objects.create(
        accelerator=accelerator, number=1, name="Cohort 1", design_start=date(2026, 3, 1),
        launch_date=date(2026, 4, 1), sustainment_days=90,
    )  # fmt: skip
    Challenge = old.get_model("challenges", "Challenge")
    goals = {
        "share": ("%", "increase", 40, 80),
        "growth": ("%", "increase", 50, 150),
        "balance": ("MUSD", "increase", -30, 10),
        "wait": ("minutes", "decrease", 40, 20),
    }
    ids = {}
    for title, (unit, direction, baseline, target) in goals.items():
        ids[title] = Challenge.objects.create(
            cohort=cohort, title=title, lead_entity=entity, metric=title, unit=unit, direction=direction,
            baseline_value=baseline, target_value=target,
        ).pk  # fmt: skip
    old.get_model("program_admin", "CandidateChallenge").objects.create(
        accelerator=accelerator, title="Open", unit="%", baseline_value=-5
    )
    return ids


def test_stored_goals_get_a_kind_and_bounds_that_keep_them_valid():
    try:
        old = _migrate(BEFORE)
        ids = _fill(old)
        new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Challenge = new.get_model("challenges", "Challenge")
    kept = {c.pk: (c.unit_kind, c.lower_bound, c.upper_bound) for c in Challenge.objects.all()}
    assert kept == {
        ids["share"]: ("percentage", None, None),
        ids["growth"]: ("other", None, None),  # over 100: not forced into a percentage's range
        ids["balance"]: ("other", -30, None),
        ids["wait"]: ("other", None, None),
    }
    candidate = new.get_model("program_admin", "CandidateChallenge").objects.get()
    assert (candidate.unit_kind, candidate.lower_bound) == ("other", -5)
