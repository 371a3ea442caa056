"""The reminder jobs: check-in reminders to team leads, and the weekly sponsor digest.

Beat runs ``send_due_reminders`` every hour; an accelerator's team leads are reminded by the
first run after 09:00 in that accelerator's own time zone (``REMIND_AT``). Exactly-once comes
from the database, not from timing: a ``ReminderLog`` row per (person, challenge, due period)
is inserted with ``ON CONFLICT DO NOTHING … RETURNING``, and only the rows a run inserted get
a notification and an e-mail (queued on commit). Runs that come later the same day, the next
days while the check-in is still overdue, or at the same moment on another worker, insert
nothing and send nothing.

The sponsor digest works the same way with one ``SponsorDigestLog`` row per sponsor per week
(weeks start on Monday, UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone, translation

from cohorts.calendar import REPORTING_PHASES
from cohorts.models import Accelerator, Cohort
from core.sql import date_cast, date_param
from core.tasking import enqueue_on_commit
from members.models import Membership

from . import periods
from .models import Challenge, CheckIn, Notification, ReminderLog, SponsorDigestLog
from .notifications import checkin_reminder_message, queue_notification_emails

REMIND_AT = time(9, 0)

RL = ReminderLog._meta.db_table
SD = SponsorDigestLog._meta.db_table
MS = Membership._meta.db_table
CH = Challenge._meta.db_table
CI = CheckIn._meta.db_table


def reminders_send_due(
    *, now: datetime | None = None, accelerator_ids: list[int] | None = None, cohort_ids: list[int] | None = None
) -> list[int]:
    """Remind every team lead whose check-in is due or overdue; returns the reminders this run made.

    ``accelerator_ids`` / ``cohort_ids`` narrow the run (the simulation runs it for one cohort).
    """
    now = now or timezone.now()
    made: list[int] = []
    accelerators = Accelerator.objects.order_by("id")
    if accelerator_ids is not None:
        accelerators = accelerators.filter(id__in=accelerator_ids)
    for accelerator in accelerators:
        local = now.astimezone(accelerator.zone)
        if local.time() < REMIND_AT:
            continue
        made += _remind_accelerator(accelerator=accelerator, today=local.date(), now=now, cohort_ids=cohort_ids)
    return made


@transaction.atomic
def _remind_accelerator(*, accelerator: Accelerator, today, now: datetime, cohort_ids=None) -> list[int]:
    cadence = accelerator.checkin_cadence_days
    due = []
    cohorts = Cohort.objects.filter(accelerator=accelerator, status=Cohort.Status.LAUNCHED)
    if cohort_ids is not None:
        cohorts = cohorts.filter(id__in=cohort_ids)
    for cohort in cohorts:
        period = periods.latest_due_period(cohort=cohort, cadence=cadence, today=today)
        if period is not None:
            due.append((cohort.id, period.number, period.due_on))
    if not due:
        return []
    due_sql = " UNION ALL ".join(
        f"SELECT CAST(%s AS integer) AS cohort_id, CAST(%s AS integer) AS period, {date_cast()} AS due_on" for _ in due
    )
    params: list = [value for cohort_id, number, due_on in due for value in (cohort_id, number, date_param(due_on))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {RL} (user_id, challenge_id, period, due_on, created_at)
            SELECT m.user_id, ch.id, due.period, due.due_on, %s
            FROM {MS} m
            JOIN {CH} ch ON ch.id = m.challenge_id
            JOIN ({due_sql}) due ON due.cohort_id = ch.cohort_id
            WHERE m.role = 'team_lead' AND ch.withdrawn_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM {CI} ci WHERE ci.challenge_id = ch.id AND ci.period >= due.period)
            ON CONFLICT (user_id, challenge_id, period) DO NOTHING
            RETURNING id
            """,
            [now, *params],
        )
        made = [row[0] for row in cursor.fetchall()]
    if made:
        _notify_reminded(reminder_ids=made, today=today)
    return made


def _notify_reminded(*, reminder_ids: list[int], today) -> None:
    reminders = ReminderLog.objects.filter(id__in=reminder_ids).select_related("user", "challenge__cohort__accelerator")
    rows = []
    for reminder in reminders:
        accelerator = reminder.challenge.cohort.accelerator
        with translation.override(reminder.user.reading_language(accelerator)):
            message = checkin_reminder_message(
                challenge=reminder.challenge, period_number=reminder.period, due_on=reminder.due_on, today=today
            )
        rows.append(
            Notification(
                user=reminder.user,
                challenge=reminder.challenge,
                kind=Notification.Kind.CHECKIN_REMINDER,
                message=message,
            )
        )
    ids = [row.pk for row in Notification.objects.bulk_create(rows)]
    transaction.on_commit(lambda: queue_notification_emails(ids))


def week_of(now: datetime) -> date:
    """The Monday (UTC) of ``now``'s week: the digest's once-a-week key."""
    day = now.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


# The phases in which a sponsor hears weekly: the ones that take check-ins.
REPORTING = ", ".join(f"'{phase.value}'" for phase in REPORTING_PHASES)


@transaction.atomic
def sponsor_digests_send(*, now: datetime | None = None) -> list[int]:
    """Queue this week's digest for every sponsor of a running challenge, at most once a week."""
    now = now or timezone.now()
    monday = week_of(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {SD} (user_id, week_of, created_at)
            SELECT DISTINCT m.user_id, {date_cast()}, %s
            FROM {MS} m JOIN {CH} ch ON ch.id = m.challenge_id
            WHERE m.role = '{Membership.Role.SPONSOR.value}' AND ch.withdrawn_at IS NULL
              AND ch.phase IN ({REPORTING})
            ON CONFLICT (user_id, week_of) DO NOTHING
            RETURNING id
            """,
            [date_param(monday), now],
        )
        made = [row[0] for row in cursor.fetchall()]
    if made:
        enqueue_on_commit("challenges.tasks.send_sponsor_digest_emails", made)
    return made
