"""Overdue is no longer stored on a station: it is read from its due day (``Station.state_on``).

The stations the clock had marked overdue go back to pending (they read as overdue all the same),
the check allows only what is stored, and the (state, due_on) index only the marking used goes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0110_notification_phase"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="station", name="station_state_known"),
        migrations.RemoveIndex(model_name="station", name="station_state_due_idx"),
        migrations.RunSQL(
            "UPDATE challenges_station SET state = 'pending' WHERE state = 'overdue'",
            reverse_sql=migrations.RunSQL.noop,
            elidable=False,
        ),
        migrations.AddConstraint(
            model_name="station",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["pending", "done"])), name="station_state_stored"
            ),
        ),
    ]
