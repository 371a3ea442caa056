"""The cohorts' change stamps, as a model of this app: the table ``dashboards`` 0002 made, unchanged."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0009_cohort_clock_bookkeeping"),
        ("dashboards", "0004_cohort_change_moves_to_cohorts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
                    options={
                        "verbose_name": "cohort change",
                        "verbose_name_plural": "cohort changes",
                        "db_table": "dashboards_cohortchange",
                    },
                ),
            ]
        ),
    ]
