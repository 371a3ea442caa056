"""Reminders about the journey's artifacts: each owner hears once per station, 3 days before it is due.

The same machinery as the check-in reminders (``challenges.reminders``): beat runs the job hourly,
an accelerator's people are reminded by the first run after 09:00 local time, and exactly-once
comes from the database: a ``JourneyReminder`` row per (person, station) inserted with
``ON CONFLICT DO NOTHING … RETURNING``; only the rows a run inserted get a notification and an
e-mail (queued on commit). A station whose artifact is produced is ticked, so it stops reminding.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from challenges.models import Challenge, Notification, Station
from challenges.notifications import queue_notification_emails
from challenges.reminders import REMIND_AT
from cohorts.calendar import Phase
from cohorts.models import Accelerator, Cohort
from core.sql import date_cast, date_param
from members.models import Membership

from .artifacts import SPECS, ArtifactKind
from .models import JourneyReminder

# Reminded this many days before the due day (once), and not about stations more than
# ``BEHIND_DAYS`` overdue (a cohort launched with its design stations long past is not flooded).
AHEAD_DAYS = 3
BEHIND_DAYS = 7

JR, ST, CH, MS, CO = (
    JourneyReminder._meta.db_table,
    Station._meta.db_table,
    Challenge._meta.db_table,
    Membership._meta.db_table,
    Cohort._meta.db_table,
)


def _pairs() -> tuple[str, list[str]]:
    """(station kind, owner role) of every artifact, as SQL VALUES rows; the sponsor also for the pledge."""
    pairs = {(spec.station, role) for spec in SPECS.values() for role in spec.owners}
    pairs.add((SPECS[ArtifactKind.SUSTAINABILITY_PLAN].station, Membership.Role.SPONSOR))
    pairs = sorted(pairs)
    sql = " UNION ALL ".join("SELECT %s AS kind, %s AS role" for _ in pairs)
    return sql, [value for pair in pairs for value in pair]


def artifact_reminders_send(*, now: datetime | None = None) -> list[int]:
    """Remind every owner whose artifact is due within ``AHEAD_DAYS``; returns the reminders made."""
    now = now or timezone.now()
    made: list[int] = []
    for accelerator in Accelerator.objects.order_by("id"):
        local = now.astimezone(accelerator.zone)
        if local.time() >= REMIND_AT:
            made += _remind(accelerator=accelerator, today=local.date(), now=now)
    return made


@transaction.atomic
def _remind(*, accelerator: Accelerator, today, now: datetime) -> list[int]:
    pairs_sql, pair_params = _pairs()
    # Only a kind's first station (the sustainment reviews after the first have no artifact).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {JR} (user_id, station_id, created_at)
            SELECT m.user_id, s.id, %s
            FROM {ST} s
            JOIN {CH} ch ON ch.id = s.challenge_id
            JOIN {CO} co ON co.id = ch.cohort_id
            JOIN ({pairs_sql}) p ON p.kind = s.kind
            JOIN {MS} m ON m.challenge_id = s.challenge_id AND m.role = p.role
            WHERE co.accelerator_id = %s AND co.status = 'launched' AND ch.withdrawn_at IS NULL
              AND ch.phase <> %s AND s.state <> 'done' AND s.due_on <= {date_cast()} AND s.due_on >= {date_cast()}
              AND NOT EXISTS (SELECT 1 FROM {ST} e WHERE e.challenge_id = s.challenge_id AND e.kind = s.kind
                              AND (e.due_on < s.due_on OR (e.due_on = s.due_on AND e.id < s.id)))
            ON CONFLICT (user_id, station_id) DO NOTHING
            RETURNING id
            """,
            [
                now,
                *pair_params,
                accelerator.pk,
                Phase.CLOSED.value,
                date_param(today + timedelta(days=AHEAD_DAYS)),
                date_param(today - timedelta(days=BEHIND_DAYS)),
            ],
        )
        made = [row[0] for row in cursor.fetchall()]
    if made:
        _notify(reminder_ids=made, accelerator=accelerator)
    return made


def reminder_message(*, station: Station, label: str) -> str:
    return _("“%(title)s”: the %(what)s is due on %(date)s. Write it on the challenge's journey page.") % {
        "title": station.challenge.title,
        "what": label,
        "date": station.due_on.isoformat(),
    }


def _notify(*, reminder_ids: list[int], accelerator: Accelerator) -> None:
    by_station = {spec.station: spec for spec in SPECS.values()}
    rows = []
    reminders = JourneyReminder.objects.filter(id__in=reminder_ids).select_related("user", "station__challenge")
    for reminder in reminders:
        spec = by_station[reminder.station.kind]
        with translation.override(reminder.user.reading_language(accelerator)):
            message = reminder_message(station=reminder.station, label=str(spec.kind.label))
        rows.append(Notification(user=reminder.user, challenge=reminder.station.challenge, message=message))
    ids = [row.pk for row in Notification.objects.bulk_create(rows)]
    transaction.on_commit(lambda: queue_notification_emails(ids))
