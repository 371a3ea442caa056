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


def request_reader_facts(request) -> dict[str, object]:
    """``reader_facts`` of the request's reader, once per request (the header and the cached pages'
    keys both read them)."""
    if not hasattr(request, "_nav_facts"):
        request._nav_facts = reader_facts(getattr(request, "user", None))
    return request._nav_facts


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


# --- What the challenge page shows, as the sources of its digest (``core.pagecache``) -------------


def challenge_page_sources(challenge, *, reader_id: int) -> list:
    """Every table the challenge page reads, narrowed to this challenge's rows: the challenge and its
    history (the goal corrections), cohort, accelerator, check-ins and their corrections, blockers,
    stations and their templates, transitions, seats, the people named, their entities, and who of
    them is only invited (``members.invitations.masked_names``), and whether the reader is one of the
    people named (they see their own name, never the invitation's)."""
    from cohorts.models import Accelerator, Cohort, Entity, User
    from core.pagecache import Rows, among
    from members.models import Invitation

    from .models import Blocker, Challenge, CheckIn, CheckInRevision, PhaseTransition, Station, StationTemplate

    c, k, a = challenge.pk, challenge.cohort_id, challenge.cohort.accelerator_id
    mine = "t.challenge_id = %s"
    checkins, blockers = CheckIn._meta.db_table, Blocker._meta.db_table
    named = f"""SELECT user_id FROM {Membership._meta.db_table} WHERE challenge_id = %s
        UNION SELECT author_id FROM {checkins} WHERE challenge_id = %s
        UNION SELECT r.corrected_by_id FROM {CheckInRevision._meta.db_table} r
              JOIN {checkins} ci ON ci.id = r.checkin_id WHERE ci.challenge_id = %s
        UNION SELECT raised_by_id FROM {blockers} WHERE challenge_id = %s
        UNION SELECT owner_id FROM {blockers} WHERE challenge_id = %s
        UNION SELECT resolved_by_id FROM {blockers} WHERE challenge_id = %s"""
    people = among("t.id", named)
    users = User._meta.db_table
    return [
        Rows(Accelerator, "t.id = %s", (a,)),
        Rows(Cohort, "t.id = %s", (k,)),
        Rows(Challenge, "t.id = %s", (c,)),
        Rows(Challenge.history.model, "t.id = %s", (c,)),
        Rows(CheckIn, mine, (c,)),
        Rows(CheckInRevision, f"t.checkin_id IN (SELECT id FROM {checkins} WHERE challenge_id = %s)", (c,)),
        Rows(Blocker, mine, (c,)),
        Rows(Station, mine, (c,)),
        Rows(StationTemplate, "t.accelerator_id = %s", (a,)),
        Rows(PhaseTransition, mine, (c,)),
        Rows(Membership, mine, (c,)),
        Rows(User, people, (c,) * 6),
        Rows(
            Entity,
            among(
                "t.id",
                f"SELECT lead_entity_id FROM {Challenge._meta.db_table} WHERE id = %s"
                f" UNION SELECT entity_id FROM {users} u WHERE {among('u.id', named)}",
            ),
            (c,) * 7,
        ),
        Rows(Invitation, "t.accelerator_id = %s", (a,)),
        Rows(AcceleratorRole, "t.accelerator_id = %s", (a,)),
        Rows(User, f"{people} AND t.id = %s", (*(c,) * 6, reader_id), ids=True),
    ]
