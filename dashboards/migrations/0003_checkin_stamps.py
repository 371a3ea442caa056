"""Check-ins stamp their cohort too (``cohorts.CohortChange``), as migration 0002's tables do.

Every write of a check-in through the code also rewrites its challenge (``challenge_take_latest_checkin``),
which stamps the cohort; these triggers make it so for any other write as well (a raw UPDATE of a
check-in's words), which the API's check-in list would otherwise show late (``api.cache``).
"""

import importlib

from django.db import migrations

stamps = importlib.import_module("dashboards.migrations.0002_cohort_changes")

TABLE = "challenges_checkin"
PG_COHORTS = "SELECT c.cohort_id FROM {r} r JOIN challenges_challenge c ON c.id = r.challenge_id"
SQLITE_COHORTS = "SELECT c.cohort_id FROM challenges_challenge c WHERE c.id = {r}.challenge_id"


def pg_forward() -> str:
    function = f"{TABLE}_stamps_cohorts"
    new, old = PG_COHORTS.format(r="new_rows"), PG_COHORTS.format(r="old_rows")
    sql = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN {stamps._pg_stamp(new)} END IF;
    IF TG_OP <> 'INSERT' THEN {stamps._pg_stamp(old)} END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
    for event, sides in stamps.EVENTS.items():
        referencing = " ".join(f"{side.upper()} TABLE AS {side}_rows" for side in sides)
        sql += (
            f"CREATE TRIGGER {TABLE}_stamps_{event} AFTER {event.upper()} ON {TABLE}"
            f" REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n"
        )
    return sql


def sqlite_forward() -> list[str]:
    statements = []
    for event, sides in stamps.EVENTS.items():
        body = "".join(
            f"INSERT INTO {stamps.STAMPS} (cohort_id, xact, weight)"
            f" SELECT x.cohort_id, 0, 1 FROM ({SQLITE_COHORTS.format(r=side.upper())}) x WHERE true"
            " ON CONFLICT (cohort_id, xact) DO UPDATE SET weight = weight + 1;\n"
            for side in sides
        )
        statements.append(f"CREATE TRIGGER {TABLE}_stamps_{event} AFTER {event.upper()} ON {TABLE} BEGIN\n{body}END;")
    return statements


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(pg_forward())
    else:
        for statement in sqlite_forward():
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(stamps.pg_backward(TABLE))
    else:
        for statement in stamps.sqlite_backward(TABLE):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_cohort_changes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
