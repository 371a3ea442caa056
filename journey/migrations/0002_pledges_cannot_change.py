"""A signed pledge never changes: the database refuses any UPDATE of a pledge, and any DELETE.

Enforced by triggers so no code path (the admin, a shell, a raw query) can alter what a sponsor
signed. On SQLite (the embedded default) only UPDATE is refused: its test runner clears tables
with DELETE, where PostgreSQL's uses TRUNCATE, which fires no row trigger.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION journey_pledge_is_final() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a signed sustainability pledge cannot be changed or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER journey_pledge_no_update BEFORE UPDATE OR DELETE ON journey_pledge
    FOR EACH ROW EXECUTE FUNCTION journey_pledge_is_final();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS journey_pledge_no_update ON journey_pledge;
DROP FUNCTION IF EXISTS journey_pledge_is_final();
"""
SQLITE_FORWARD = """
CREATE TRIGGER journey_pledge_no_update BEFORE UPDATE ON journey_pledge
BEGIN SELECT RAISE(ABORT, 'a signed sustainability pledge cannot be changed'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS journey_pledge_no_update;"


def forward(apps, schema_editor):
    sql = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    schema_editor.execute(sql)


def backward(apps, schema_editor):
    sql = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("journey", "0001_artifacts_and_pledges")]

    operations = [migrations.RunPython(forward, backward)]
