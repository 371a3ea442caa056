"""``CohortChange`` is read by the pages and the API alike, so its model moves down to the cohorts app
(``cohorts`` 0010 takes it over); its table and triggers stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0003_checkin_stamps")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="CohortChange")]),
    ]
