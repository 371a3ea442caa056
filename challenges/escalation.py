"""Escalating a blocker past its due date to the sponsor, once.

Beat runs ``escalate_overdue_blockers`` every hour. A blocker is overdue once the day after its
due date (``decision_needed_by``) has begun in its accelerator's time zone while it is still open.
Exactly-once comes from the row itself: one set-based ``UPDATE … SET escalated_at = now WHERE
escalated_at IS NULL … RETURNING id`` claims every overdue blocker, and only the blockers a run
claimed get a notification for each sponsor (and its e-mail, queued on commit through the usual
delivery). A task delivered twice, or two workers at once, claim nothing the second time: on
PostgreSQL the second ``UPDATE`` waits for the first's row locks and then finds ``escalated_at``
set. A challenge without a sponsor keeps its blocker unclaimed until it has one.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cohorts.models import Accelerator, Cohort
from core.sql import date_cast, date_param
from members.models import Membership

from .models import Blocker, Challenge, Notification
from .notifications import queue_notification_emails, shown_names

BL = Blocker._meta.db_table
CH = Challenge._meta.db_table
CO = Cohort._meta.db_table
MS = Membership._meta.db_table


def _today_by_accelerator(now: datetime) -> tuple[str, list]:
    """A derived table of (accelerator_id, today) in each accelerator's own zone, and its parameters."""
    rows = [(accelerator.pk, accelerator.local_today(now)) for accelerator in Accelerator.objects.order_by("id")]
    sql = " UNION ALL ".join(f"SELECT CAST(%s AS integer) AS accelerator_id, {date_cast()} AS today" for _ in rows)
    return sql, [value for pk, today in rows for value in (pk, date_param(today))]


@transaction.atomic
def blockers_escalate_overdue(*, now: datetime | None = None) -> list[int]:
    """Claim every open blocker past its due date not yet escalated, and tell its sponsors; returns their ids."""
    now = now or timezone.now()
    today_sql, params = _today_by_accelerator(now)
    if not params:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {BL} SET escalated_at = %s
            WHERE state = '{Blocker.State.OPEN.value}' AND escalated_at IS NULL
              AND decision_needed_by IS NOT NULL
              AND decision_needed_by < (
                  SELECT t.today FROM ({today_sql}) t
                  JOIN {CO} co ON co.accelerator_id = t.accelerator_id
                  JOIN {CH} ch ON ch.cohort_id = co.id
                  WHERE ch.id = {BL}.challenge_id AND ch.withdrawn_at IS NULL)
              AND EXISTS (SELECT 1 FROM {MS} m
                          WHERE m.challenge_id = {BL}.challenge_id AND m.role = '{Membership.Role.SPONSOR.value}')
            RETURNING id
            """,
            [now, *params],
        )
        claimed = [row[0] for row in cursor.fetchall()]
    if claimed:
        _notify_sponsors(blocker_ids=claimed)
    return claimed


def _notify_sponsors(*, blocker_ids: list[int]) -> None:
    blockers = Blocker.objects.filter(id__in=blocker_ids).select_related("challenge__cohort__accelerator", "owner")
    by_challenge: dict[int, list[Blocker]] = {}
    for blocker in blockers:
        by_challenge.setdefault(blocker.challenge_id, []).append(blocker)
    seats = Membership.objects.filter(challenge_id__in=by_challenge, role=Membership.Role.SPONSOR).select_related(
        "user"
    )
    owners = {}  # the owner as the accelerator's pages show them (one query per accelerator)
    by_accelerator: dict[int, list[Blocker]] = {}
    for blocker in blockers:
        by_accelerator.setdefault(blocker.challenge.cohort.accelerator_id, []).append(blocker)
    for group in by_accelerator.values():
        names = shown_names(group[0].challenge.cohort.accelerator, [blocker.owner for blocker in group])
        owners.update({blocker.pk: names[blocker.owner_id] for blocker in group if blocker.owner_id})
    rows = []
    for seat in seats:
        for blocker in by_challenge[seat.challenge_id]:
            with translation.override(seat.user.reading_language(blocker.challenge.cohort.accelerator)):
                context = {"blocker": blocker, "owner_name": owners.get(blocker.pk)}
                message = render_to_string("challenges/email/blocker_overdue_line.txt", context).strip()
            rows.append(
                Notification(
                    user=seat.user,
                    challenge=blocker.challenge,
                    blocker=blocker,
                    kind=Notification.Kind.BLOCKER_OVERDUE,
                    message=message,
                )
            )
    ids = [row.pk for row in Notification.objects.bulk_create(rows)]
    if ids:
        transaction.on_commit(lambda: queue_notification_emails(ids))
