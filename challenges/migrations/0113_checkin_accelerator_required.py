"""``CheckIn.accelerator`` required, and indexed for an accelerator's newest check-ins (see 0112)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0112_checkin_accelerator"),
    ]

    operations = [
        migrations.AlterField(
            model_name="checkin",
            name="accelerator",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cohorts.accelerator",
                verbose_name="accelerator",
            ),
        ),
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(
                fields=["accelerator", "-created_at", "-id"],
                include=["challenge"],
                name="checkin_accelerator_newest_idx",
            ),
        ),
    ]
