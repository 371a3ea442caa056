"""Cohort change stamps (``dashboards.CohortChange``), written by triggers on every table the cohort's
pages read row by row: challenges, team leads' seats and people, artifacts and pledges.

PostgreSQL: statement-level triggers over the statement's transition tables insert one stamp per
cohort the statement touched and per transaction (``ON CONFLICT DO NOTHING``), so the clock's
100,000-row UPDATE writes one row per cohort, not one per challenge, and two transactions never
lock the same stamp. SQLite (the embedded default, one writer at a time): row-level triggers count
the rows written into one stamp per cohort.
"""

from django.db import migrations, models

STAMPS = "dashboards_cohortchange"
LEAD = "'team_lead'"

# How the rows of each table (``{r}``) name their cohort.
PG_COHORTS = {
    "challenges_challenge": "SELECT r.cohort_id FROM {r} r",
    "challenges_membership": (
        f"SELECT c.cohort_id FROM {{r}} r JOIN challenges_challenge c ON c.id = r.challenge_id WHERE r.role = {LEAD}"
    ),
    "cohorts_user": (
        "SELECT c.cohort_id FROM {r} r JOIN challenges_membership m ON m.user_id = r.id"
        f" AND m.role = {LEAD} JOIN challenges_challenge c ON c.id = m.challenge_id"
    ),
    "journey_artifact": "SELECT c.cohort_id FROM {r} r JOIN challenges_challenge c ON c.id = r.challenge_id",
    "journey_pledge": "SELECT c.cohort_id FROM {r} r JOIN challenges_challenge c ON c.id = r.challenge_id",
}
SQLITE_COHORTS = {
    "challenges_challenge": "SELECT {r}.cohort_id AS cohort_id",
    "challenges_membership": (
        f"SELECT c.cohort_id FROM challenges_challenge c WHERE c.id = {{r}}.challenge_id AND {{r}}.role = {LEAD}"
    ),
    "cohorts_user": (
        "SELECT DISTINCT c.cohort_id FROM challenges_membership m JOIN challenges_challenge c"
        f" ON c.id = m.challenge_id WHERE m.user_id = {{r}}.id AND m.role = {LEAD}"
    ),
    "journey_artifact": "SELECT c.cohort_id FROM challenges_challenge c WHERE c.id = {r}.challenge_id",
    "journey_pledge": "SELECT c.cohort_id FROM challenges_challenge c WHERE c.id = {r}.challenge_id",
}
EVENTS = {"insert": ("new",), "update": ("old", "new"), "delete": ("old",)}


def _pg_stamp(select: str) -> str:
    return (
        f"INSERT INTO {STAMPS} (cohort_id, xact, weight)"
        f" SELECT DISTINCT x.cohort_id, pg_current_xact_id()::text::bigint, 1 FROM ({select}) x"
        " ON CONFLICT (cohort_id, xact) DO NOTHING;"
    )


def pg_forward(table: str) -> str:
    function = f"{table}_stamps_cohorts"
    new, old = PG_COHORTS[table].format(r="new_rows"), PG_COHORTS[table].format(r="old_rows")
    sql = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN {_pg_stamp(new)} END IF;
    IF TG_OP <> 'INSERT' THEN {_pg_stamp(old)} END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
    for event, sides in EVENTS.items():
        referencing = " ".join(f"{side.upper()} TABLE AS {side}_rows" for side in sides)
        sql += (
            f"CREATE TRIGGER {table}_stamps_{event} AFTER {event.upper()} ON {table}"
            f" REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n"
        )
    return sql


def pg_backward(table: str) -> str:
    drops = "".join(f"DROP TRIGGER IF EXISTS {table}_stamps_{event} ON {table};\n" for event in EVENTS)
    return drops + f"DROP FUNCTION IF EXISTS {table}_stamps_cohorts();\n"


def sqlite_forward(table: str) -> list[str]:
    statements = []
    for event, sides in EVENTS.items():
        body = "".join(
            f"INSERT INTO {STAMPS} (cohort_id, xact, weight)"
            f" SELECT x.cohort_id, 0, 1 FROM ({SQLITE_COHORTS[table].format(r=side.upper())}) x WHERE true"
            " ON CONFLICT (cohort_id, xact) DO UPDATE SET weight = weight + 1;\n"
            for side in sides
        )
        statements.append(f"CREATE TRIGGER {table}_stamps_{event} AFTER {event.upper()} ON {table} BEGIN\n{body}END;")
    return statements


def sqlite_backward(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_stamps_{event};" for event in EVENTS]


def _for_each_table(schema_editor, postgresql, sqlite) -> None:
    for table in PG_COHORTS:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(postgresql(table))
        else:
            for statement in sqlite(table):
                schema_editor.execute(statement)


def forward(apps, schema_editor):
    _for_each_table(schema_editor, pg_forward, sqlite_forward)


def backward(apps, schema_editor):
    _for_each_table(schema_editor, pg_backward, sqlite_backward)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_rendered_report"),
        ("challenges", "0113_checkin_accelerator_required"),
        ("members", "0002_invitation_typed_name_and_seat_removals"),
        ("journey", "0002_pledges_cannot_change"),
        ("cohorts", "0009_cohort_clock_bookkeeping"),
    ]

    operations = [
        migrations.CreateModel(
            name="CohortChange",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "cohort_id", "xact", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("cohort_id", models.BigIntegerField(verbose_name="cohort")),
                ("xact", models.BigIntegerField(verbose_name="transaction")),
                ("weight", models.BigIntegerField(default=1, verbose_name="rows written")),
            ],
            options={"verbose_name": "cohort change", "verbose_name_plural": "cohort changes"},
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
