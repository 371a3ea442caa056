"""The admin confirms how an uploaded file reads before it is imported: the file waits in its
ImportJob row ("awaiting confirmation") with the encoding, column separator and decimal mark
detected on upload."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cohorts', '0005_intake_and_imports_move_to_program_admin'),
        ('program_admin', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='importjob',
            name='import_job_state_known',
        ),
        migrations.AddField(
            model_name='importjob',
            name='decimal_mark',
            field=models.CharField(blank=True, choices=[('comma', 'decimal comma (1 234,5)'), ('point', 'decimal point (1,234.5)')], max_length=12, verbose_name='numbers'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='delimiter',
            field=models.CharField(blank=True, choices=[('comma', 'commas (,)'), ('semicolon', 'semicolons (;)'), ('tab', 'tabs')], max_length=12, verbose_name='columns separated by'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='encoding',
            field=models.CharField(blank=True, choices=[('utf-8', 'Unicode (UTF-8)'), ('utf-16', 'Unicode (UTF-16)'), ('cp1251', 'Cyrillic (Windows-1251)'), ('koi8_r', 'Cyrillic (KOI8-R)'), ('cp866', 'Cyrillic (DOS 866)'), ('cp1256', 'Arabic (Windows-1256)'), ('cp1252', 'Western European (Windows-1252)'), ('cp1254', 'Turkish and Uzbek Latin (Windows-1254)')], max_length=12, verbose_name='encoding'),
        ),
        migrations.AlterField(
            model_name='importjob',
            name='state',
            field=models.CharField(choices=[('awaiting', 'awaiting confirmation'), ('queued', 'queued'), ('validating', 'checking rows'), ('saving', 'saving'), ('succeeded', 'imported'), ('failed', 'rejected')], default='queued', max_length=12, verbose_name='state'),
        ),
        migrations.AddConstraint(
            model_name='importjob',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['awaiting', 'queued', 'validating', 'saving', 'succeeded', 'failed'])), name='import_job_state_known'),
        ),
        migrations.AddConstraint(
            model_name='importjob',
            constraint=models.CheckConstraint(condition=models.Q(('encoding__in', ['', 'utf-8', 'utf-16', 'cp1251', 'koi8_r', 'cp866', 'cp1256', 'cp1252', 'cp1254'])), name='import_job_encoding_known'),
        ),
        migrations.AddConstraint(
            model_name='importjob',
            constraint=models.CheckConstraint(condition=models.Q(('delimiter__in', ['', 'comma', 'semicolon', 'tab'])), name='import_job_delimiter_known'),
        ),
        migrations.AddConstraint(
            model_name='importjob',
            constraint=models.CheckConstraint(condition=models.Q(('decimal_mark__in', ['', 'comma', 'point'])), name='import_job_decimal_mark_known'),
        ),
    ]
