"""Reads about challenges that several pages share."""

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from members.models import AcceleratorRole, Membership

from .models import Notification

NO_FACTS = {"unread": 0, "can_manage": False, "has_grants": False, "has_seats": False}

_READER_FACTS_SQL = f"""
    SELECT (SELECT COUNT(*) FROM {Notification._meta.db_table} n WHERE n.user_id = %s AND n.read_at IS NULL),
           EXISTS (SELECT 1 FROM {AcceleratorRole._meta.db_table} r
                   WHERE r.user_id = %s AND r.role = %s AND r.cohort_id IS NULL),
           EXISTS (SELECT 1 FROM {AcceleratorRole._meta.db_table} r WHERE r.user_id = %s),
           EXISTS (SELECT 1 FROM {Membership._meta.db_table} m WHERE m.user_id = %s)
"""


def reader_facts(user) -> dict[str, object]:
    """What the page header shows about its reader: unread notifications, and which menus apply.

    Every page pays for this, so it is one fixed statement rather than an ORM query: building
    the equivalent queryset (a subquery and three EXISTS) cost more than running it.
    """
    if user is None or not user.is_authenticated:
        return dict(NO_FACTS)
    pk = user.pk
    with connection.cursor() as cursor:
        cursor.execute(_READER_FACTS_SQL, [pk, pk, AcceleratorRole.Role.PROGRAM_ADMIN, pk, pk])
        unread, can_manage, has_grants, has_seats = cursor.fetchone()
    facts = {
        "unread": unread,
        "can_manage": bool(can_manage),
        "has_grants": bool(has_grants),
        "has_seats": bool(has_seats),
    }
    if user.is_superuser:
        facts["can_manage"] = facts["has_grants"] = True
    return facts


# --- The goal's corrections after launch (shown on the chart and the history) ---------------------


@dataclass(frozen=True)
class GoalChange:
    """The baseline or target moved after launch: when (local date, day n), from what to what, and why."""

    on: date
    day: int
    old_baseline: Decimal
    new_baseline: Decimal
    old_target: Decimal
    new_target: Decimal
    reason: str


def goal_changes(challenge) -> list[GoalChange]:
    """Each saved change of baseline or target after the cohort's launch, oldest first (one query).

    Read from the challenge's history records, so the chart marks exactly what the history lists.
    """
    from .models import Challenge

    cohort = challenge.cohort
    if cohort.launched_at is None:
        return []
    records = list(
        Challenge.history.filter(id=challenge.pk)
        .order_by("history_date", "history_id")
        .values("history_date", "baseline_value", "target_value", "history_change_reason")
    )
    zone = cohort.accelerator.zone
    changes = []
    for previous, record in itertools.pairwise(records):
        moved = (previous["baseline_value"], previous["target_value"]) != (
            record["baseline_value"],
            record["target_value"],
        )
        if not moved or record["history_date"] < cohort.launched_at:
            continue
        on = record["history_date"].astimezone(zone).date()
        changes.append(
            GoalChange(
                on=on,
                day=cohort.day_number(on),
                old_baseline=previous["baseline_value"],
                new_baseline=record["baseline_value"],
                old_target=previous["target_value"],
                new_target=record["target_value"],
                reason=record["history_change_reason"] or "",
            )
        )
    return changes
