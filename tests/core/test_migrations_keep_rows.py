"""Databases of older layouts migrate forward with every row kept, on SQLite and PostgreSQL: one made
before the house moved its models (grants, seats, invitations, the task outbox, intake and imports),
and goals stored before they had a kind of unit (challenges 0104: a "%" goal inside 0–100 becomes a
percentage, a goal below zero gets its lowest value as its lower bound).

Migrating back costs most of the time, so both are filled in one trip: back to the oldest layout,
its rows written; forward to the goals' layout, theirs written; forward to the newest, then read.
"""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The leaf migrations of ``main`` before the move (commit efb1f38).
# The apps the move created did not exist yet.
BEFORE = [
    ("program_admin", None),
    ("members", None),
    ("core", None),
    ("cohorts", "0003_cohort_dates_plausible"),
    ("challenges", "0101_transition_challenge_index_from_unique"),
]
# The layout before goals had a kind of unit and bounds.
BEFORE_GOALS = [("challenges", "0104_challenge_refreshed_on"), ("program_admin", "0002_import_preview")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _fill(old):
    """One row of everything that moves, written through the models as they were."""
    User = old.get_model("cohorts", "User")
    admin = User.objects.create(email="admin@example.org", full_name="Program Admin", password="!")
    lead = User.objects.create(email="lead@example.org", full_name="Дилноза Каримова", password="!")
    accelerator = old.get_model("cohorts", "Accelerator").objects.create(
        name="Uzbekistan Government Accelerators", slug="uz", country="UZ", time_zone="Asia/Tashkent"
    )
    entity = old.get_model("cohorts", "Entity").objects.create(accelerator=accelerator, name="Sog'liqni saqlash")
    cohort = old.get_model("cohorts", "Cohort").objects.create(
        accelerator=accelerator,
        number=1,
        name="Cohort 1",
        design_start=date(2026, 3, 1),
        launch_date=date(2026, 4, 1),
        sustainment_days=90,
    )
    challenge = old.get_model("challenges", "Challenge").objects.create(
        cohort=cohort,
        title="Poliklinikada navbatni qisqartirish",
        lead_entity=entity,
        metric="waiting time",
        direction="decrease",
        baseline_value=40,
        target_value=20,
    )
    old.get_model("cohorts", "AcceleratorRole").objects.create(
        user=admin, accelerator=accelerator, role="program_admin"
    )
    old.get_model("challenges", "Membership").objects.create(challenge=challenge, user=lead, role="team_lead")
    old.get_model("challenges", "HistoricalMembership").objects.create(
        id=1, challenge_id=challenge.pk, user_id=lead.pk, role="team_lead", history_type="+",
        history_date="2026-03-02T10:00:00Z", created_at="2026-03-02T10:00:00Z",
    )  # fmt: skip
    old.get_model("cohorts", "Invitation").objects.create(accelerator=accelerator, user=lead, invited_by=admin)
    old.get_model("cohorts", "CandidateChallenge").objects.create(accelerator=accelerator, title="Kutish vaqti")
    old.get_model("cohorts", "ImportJob").objects.create(cohort=cohort, file_name="list.csv", payload=b"title\n")
    old.get_model("challenges", "TaskOutbox").objects.create(task_name="program_admin.tasks.run_import", args=[7])
    content_types = old.get_model("contenttypes", "ContentType").objects
    content_types.get_or_create(app_label="challenges", model="membership")
    content_types.get_or_create(app_label="cohorts", model="acceleratorrole")
    return challenge.pk, lead.pk


def _fill_goals(old) -> dict[str, int]:
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


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_databases_of_older_layouts_migrate_forward_with_every_row_kept():
    """One test, not one per layout: the trip back is what costs, and two tests could run it twice,
    once in each test process."""
    try:
        filled = {"old": _fill(_migrate(BEFORE))}
        filled["goals"] = _fill_goals(_migrate(BEFORE_GOALS))
        new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    old_layout_kept(new, *filled["old"])
    goals_kept(new, filled["goals"])


def old_layout_kept(new, challenge_id: int, lead_id: int) -> None:
    """The grants, seats, invitations, task outbox, intake and imports the house moved."""
    seat = new.get_model("members", "Membership").objects.get()
    assert (seat.challenge_id, seat.user_id, seat.role) == (challenge_id, lead_id, "team_lead")
    assert new.get_model("members", "HistoricalMembership").objects.get().user_id == lead_id
    assert new.get_model("members", "AcceleratorRole").objects.get().role == "program_admin"
    assert new.get_model("members", "Invitation").objects.get().user_id == lead_id
    candidate = new.get_model("program_admin", "CandidateChallenge").objects.get(title="Kutish vaqti")
    assert candidate.accelerator.slug == "uz"
    assert bytes(new.get_model("program_admin", "ImportJob").objects.get().payload) == b"title\n"
    kept = new.get_model("core", "TaskOutbox").objects.get()
    assert (kept.task_name, kept.args) == ("program_admin.tasks.run_import", [7]), "the kept task is renamed"
    labels = set(new.get_model("contenttypes", "ContentType").objects.values_list("app_label", "model"))
    assert {("members", "membership"), ("members", "acceleratorrole")} <= labels
    assert not {("challenges", "membership"), ("cohorts", "acceleratorrole")} & labels
    assert new.get_model("challenges", "Challenge").objects.get(cohort__accelerator__slug="uz").pk == challenge_id


def goals_kept(new, ids: dict[str, int]) -> None:
    """Stored goals get a kind and bounds that keep them valid."""
    Challenge = new.get_model("challenges", "Challenge")
    kept = {c.pk: (c.unit_kind, c.lower_bound, c.upper_bound) for c in Challenge.objects.filter(pk__in=ids.values())}
    assert kept == {
        ids["share"]: ("percentage", None, None),
        ids["growth"]: ("other", None, None),  # over 100: not forced into a percentage's range
        ids["balance"]: ("other", -30, None),
        ids["wait"]: ("other", None, None),
    }
    candidate = new.get_model("program_admin", "CandidateChallenge").objects.get(accelerator__slug="goals")
    assert (candidate.unit_kind, candidate.lower_bound) == ("other", -5)
