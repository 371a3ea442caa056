"""Reads about challenges that several pages share."""

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
