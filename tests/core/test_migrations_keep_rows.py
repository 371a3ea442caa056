"""A database made by the migrations before the house moved its models (grants, seats, invitations,
the task outbox, intake and imports) migrates forward with every row kept, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# The leaf migrations of ``main`` before the move (commit efb1f38).
# The apps the move created did not exist yet.
BEFORE = [
    ("program_admin", None),
    ("members", None),
    ("core", None),
    ("cohorts", "0003_cohort_dates_plausible"),
    ("challenges", "0101_transition_challenge_index_from_unique"),
]


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


def test_a_database_of_the_old_layout_keeps_every_row():
    try:
        old = _migrate(BEFORE)
        challenge_id, lead_id = _fill(old)
        new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    seat = new.get_model("members", "Membership").objects.get()
    assert (seat.challenge_id, seat.user_id, seat.role) == (challenge_id, lead_id, "team_lead")
    assert new.get_model("members", "HistoricalMembership").objects.get().user_id == lead_id
    assert new.get_model("members", "AcceleratorRole").objects.get().role == "program_admin"
    assert new.get_model("members", "Invitation").objects.get().user_id == lead_id
    assert new.get_model("program_admin", "CandidateChallenge").objects.get().title == "Kutish vaqti"
    assert bytes(new.get_model("program_admin", "ImportJob").objects.get().payload) == b"title\n"
    kept = new.get_model("core", "TaskOutbox").objects.get()
    assert (kept.task_name, kept.args) == ("program_admin.tasks.run_import", [7]), "the kept task is renamed"
    labels = set(new.get_model("contenttypes", "ContentType").objects.values_list("app_label", "model"))
    assert {("members", "membership"), ("members", "acceleratorrole")} <= labels
    assert not {("challenges", "membership"), ("cohorts", "acceleratorrole")} & labels
    assert new.get_model("challenges", "Challenge").objects.get().pk == challenge_id
