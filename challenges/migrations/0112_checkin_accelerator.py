"""Each check-in stores its challenge's accelerator (``CheckIn.accelerator``), so the API's list of an
accelerator's newest check-ins walks one index, newest first, and stops at its page, where it sorted
every check-in of the accelerator before (docs/BENCHMARKS.md, section 2).

The column is added empty, filled from each row's challenge and its cohort (history rows too), then
made required for check-ins in 0113 (a transaction of its own: PostgreSQL alters no table whose
deferred foreign-key checks from the fill are still pending in the same transaction), which also adds
the index, over the filled column.
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
    UPDATE {table} SET accelerator_id = (
        SELECT k.accelerator_id FROM challenges_challenge c JOIN cohorts_cohort k ON k.id = c.cohort_id
        WHERE c.id = {table}.challenge_id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0111_station_overdue_read_from_due_day"),
        ("cohorts", "0009_cohort_clock_bookkeeping"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="accelerator",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cohorts.accelerator",
                verbose_name="accelerator",
            ),
        ),
        migrations.AddField(
            model_name="historicalcheckin",
            name="accelerator",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cohorts.accelerator",
                verbose_name="accelerator",
            ),
        ),
        migrations.RunSQL(
            [FILL.format(table="challenges_checkin"), FILL.format(table="challenges_historicalcheckin")],
            reverse_sql=migrations.RunSQL.noop,
            elidable=False,
        ),
    ]
