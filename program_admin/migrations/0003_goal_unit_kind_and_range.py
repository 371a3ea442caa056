"""Goals get a kind of unit and a valid range (``challenges.goals``), held by check constraints.

Rows already stored are fitted before the constraints arrive, so every row survives: a unit of
"%" with values inside 0–100 becomes a percentage, and a goal whose baseline or target is below
zero gets that value as its explicit lower bound (its range is then what its numbers say).
"""

from decimal import Decimal

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

PERCENT_UNITS = ["%", "٪"]


def fit_existing_goals(apps, schema_editor):
    Goal = apps.get_model("program_admin", "CandidateChallenge")
    inside_0_100 = Q(baseline_value__gte=0, baseline_value__lte=100) & Q(target_value__gte=0, target_value__lte=100)
    Goal.objects.filter(inside_0_100, unit__in=PERCENT_UNITS).update(unit_kind="percentage")
    below_zero = Goal.objects.filter(Q(baseline_value__lt=0) | Q(target_value__lt=0))
    for goal_id, baseline, target in below_zero.values_list("id", "baseline_value", "target_value"):
        lowest = min(value for value in (baseline, target) if value is not None)
        Goal.objects.filter(pk=goal_id).update(lower_bound=lowest)


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0105_goal_unit_kind_and_range"),
        ("cohorts", "0005_intake_and_imports_move_to_program_admin"),
        ("program_admin", "0002_import_preview"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="candidatechallenge",
            name="lower_bound",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=18, null=True, verbose_name="lowest valid value"
            ),
        ),
        migrations.AddField(
            model_name="candidatechallenge",
            name="unit_kind",
            field=models.CharField(
                choices=[
                    ("count", "count"),
                    ("duration", "duration"),
                    ("percentage", "percentage"),
                    ("money", "money"),
                    ("rate", "rate"),
                    ("other", "other"),
                ],
                db_default="other",
                default="other",
                max_length=12,
                verbose_name="kind of unit",
            ),
        ),
        migrations.AddField(
            model_name="candidatechallenge",
            name="upper_bound",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=18, null=True, verbose_name="highest valid value"
            ),
        ),
        migrations.AddField(
            model_name="historicalcandidatechallenge",
            name="lower_bound",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=18, null=True, verbose_name="lowest valid value"
            ),
        ),
        migrations.AddField(
            model_name="historicalcandidatechallenge",
            name="unit_kind",
            field=models.CharField(
                choices=[
                    ("count", "count"),
                    ("duration", "duration"),
                    ("percentage", "percentage"),
                    ("money", "money"),
                    ("rate", "rate"),
                    ("other", "other"),
                ],
                db_default="other",
                default="other",
                max_length=12,
                verbose_name="kind of unit",
            ),
        ),
        migrations.AddField(
            model_name="historicalcandidatechallenge",
            name="upper_bound",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=18, null=True, verbose_name="highest valid value"
            ),
        ),
        migrations.RunPython(fit_existing_goals, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="candidatechallenge",
            constraint=models.CheckConstraint(
                condition=models.Q(("unit_kind__in", ["count", "duration", "percentage", "money", "rate", "other"])),
                name="candidate_unit_kind_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="candidatechallenge",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("lower_bound__isnull", True),
                    ("upper_bound__isnull", True),
                    ("lower_bound__lt", models.F("upper_bound")),
                    _connector="OR",
                ),
                name="candidate_bounds_in_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="candidatechallenge",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        models.Q(("baseline_value__gte", models.F("lower_bound")), ("lower_bound__isnull", False)),
                        models.Q(
                            ("lower_bound__isnull", True),
                            models.Q(
                                models.Q(("baseline_value__gte", Decimal("0")), ("unit_kind", "count")),
                                models.Q(("baseline_value__gte", Decimal("0")), ("unit_kind", "duration")),
                                models.Q(("baseline_value__gte", Decimal("0")), ("unit_kind", "percentage")),
                                models.Q(("baseline_value__gte", Decimal("0")), ("unit_kind", "money")),
                                models.Q(("baseline_value__gte", Decimal("0")), ("unit_kind", "rate")),
                                models.Q(("baseline_value__gte", Decimal("0")), ("unit_kind", "other")),
                                _connector="OR",
                            ),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        models.Q(("baseline_value__lte", models.F("upper_bound")), ("upper_bound__isnull", False)),
                        models.Q(
                            ("upper_bound__isnull", True),
                            models.Q(
                                ("unit_kind", "count"),
                                ("unit_kind", "duration"),
                                models.Q(("baseline_value__lte", Decimal("100")), ("unit_kind", "percentage")),
                                ("unit_kind", "money"),
                                ("unit_kind", "rate"),
                                ("unit_kind", "other"),
                                _connector="OR",
                            ),
                        ),
                        _connector="OR",
                    ),
                ),
                name="candidate_baseline_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="candidatechallenge",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        models.Q(("lower_bound__isnull", False), ("target_value__gte", models.F("lower_bound"))),
                        models.Q(
                            ("lower_bound__isnull", True),
                            models.Q(
                                models.Q(("target_value__gte", Decimal("0")), ("unit_kind", "count")),
                                models.Q(("target_value__gte", Decimal("0")), ("unit_kind", "duration")),
                                models.Q(("target_value__gte", Decimal("0")), ("unit_kind", "percentage")),
                                models.Q(("target_value__gte", Decimal("0")), ("unit_kind", "money")),
                                models.Q(("target_value__gte", Decimal("0")), ("unit_kind", "rate")),
                                models.Q(("target_value__gte", Decimal("0")), ("unit_kind", "other")),
                                _connector="OR",
                            ),
                        ),
                        _connector="OR",
                    ),
                    models.Q(
                        models.Q(("target_value__lte", models.F("upper_bound")), ("upper_bound__isnull", False)),
                        models.Q(
                            ("upper_bound__isnull", True),
                            models.Q(
                                ("unit_kind", "count"),
                                ("unit_kind", "duration"),
                                models.Q(("target_value__lte", Decimal("100")), ("unit_kind", "percentage")),
                                ("unit_kind", "money"),
                                ("unit_kind", "rate"),
                                ("unit_kind", "other"),
                                _connector="OR",
                            ),
                        ),
                        _connector="OR",
                    ),
                ),
                name="candidate_target_in_range",
            ),
        ),
    ]
