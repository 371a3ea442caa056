"""Who may see and change what: the rules, and the scopes ``@access`` enforces them through.

Visibility (404 outside it): a superuser sees everything; a program admin, coach or official
granted an accelerator sees all of it; an official granted one cohort sees that cohort; anybody
with a seat on a challenge's team sees that challenge. Inside what they can see, a person without
the right to change a thing gets 403.

The rules that reach a challenge are written as conditions (``challenge_visibility``) so this app
never imports the challenges app that sits above it; ``challenges.access`` applies them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cohorts.models import Accelerator, Cohort
from core.replica import reading_connection

from .models import AcceleratorRole, Membership
from .policy import Scope

Role = AcceleratorRole.Role


def accelerators_visible_to(user) -> QuerySet[Accelerator]:
    if not user.is_authenticated:
        return Accelerator.objects.none()
    if user.is_superuser:
        return Accelerator.objects.all()
    granted = AcceleratorRole.objects.filter(user=user, accelerator=OuterRef("pk"))
    seated = Membership.objects.filter(user=user, challenge__cohort__accelerator=OuterRef("pk"))
    return Accelerator.objects.filter(Q(Exists(granted)) | Q(Exists(seated)))


def administered_accelerators(user) -> QuerySet[Accelerator]:
    if not user.is_authenticated:
        return Accelerator.objects.none()
    if user.is_superuser:
        return Accelerator.objects.all()
    return Accelerator.objects.filter(
        grants__user=user, grants__role=Role.PROGRAM_ADMIN, grants__cohort__isnull=True
    ).distinct()


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    """Cohorts shown whole (dashboards): accelerator-wide grants, or an official's cohort grant.

    A draft cohort is still being put together: only the people who launch it (the accelerator's
    program admins, superusers) see it; officials and coaches see a cohort once it is launched.
    """
    if not user.is_authenticated:
        return Cohort.objects.none()
    if user.is_superuser:
        return Cohort.objects.all()
    # EXISTS over the reader's grants: accelerator-wide there, or on this very cohort; a draft
    # only through an accelerator-wide program-admin grant.
    grants = AcceleratorRole.objects.filter(
        Q(accelerator=OuterRef("accelerator"), cohort__isnull=True) | Q(cohort=OuterRef("pk")), user=user
    )
    admin = AcceleratorRole.objects.filter(
        user=user, accelerator=OuterRef("accelerator"), cohort__isnull=True, role=Role.PROGRAM_ADMIN
    )
    return Cohort.objects.filter((Q(status=Cohort.Status.LAUNCHED) & Exists(grants)) | Exists(admin))


def challenge_visibility(user, *, prefix: str = "") -> Q:
    """The condition a challenge row (reached through ``prefix``) meets when ``user`` may see it."""
    if user.is_superuser:
        return Q()
    wide = AcceleratorRole.objects.filter(
        user=user, accelerator=OuterRef(f"{prefix}cohort__accelerator"), cohort__isnull=True
    )
    narrow = AcceleratorRole.objects.filter(user=user, cohort=OuterRef(f"{prefix}cohort"))
    seated = Membership.objects.filter(user=user, challenge=OuterRef(f"{prefix}pk"))
    # A draft cohort's challenges, like its board (``cohorts_visible_to``), are the program admins'
    # and their team's: a grant lets officials and coaches in once the cohort is launched.
    launched = Q(**{f"{prefix}cohort__status": Cohort.Status.LAUNCHED})
    admin = wide.filter(role=Role.PROGRAM_ADMIN)
    return (launched & (Q(Exists(wide)) | Q(Exists(narrow)))) | Q(Exists(admin)) | Q(Exists(seated))


def is_program_admin(user, accelerator_id: int) -> bool:
    if user.is_superuser:
        return True
    return AcceleratorRole.objects.filter(
        user=user, accelerator_id=accelerator_id, role=Role.PROGRAM_ADMIN, cohort__isnull=True
    ).exists()


def get_accelerator_for_admin(user, slug: str) -> Accelerator:
    """404 unless the accelerator is visible; 403 unless the user administers it."""
    accelerator = accelerators_visible_to(user).filter(slug=slug).first()
    if accelerator is None:
        raise Http404
    if not is_program_admin(user, accelerator.id):
        raise PermissionDenied
    return accelerator


def get_cohort_for_admin(user, pk: int) -> Cohort:
    cohort = Cohort.objects.select_related("accelerator").filter(pk=pk).first()
    if cohort is None or not accelerators_visible_to(user).filter(pk=cohort.accelerator_id).exists():
        raise Http404
    if not is_program_admin(user, cohort.accelerator_id):
        raise PermissionDenied
    return cohort


def get_cohort_for_reader(user, pk: int) -> Cohort:
    """The cohort with its accelerator, or 404 if ``user`` may not open it (two small queries)."""
    found = list(Cohort.objects.select_related("accelerator").filter(pk=pk)[:1])
    if not found or not can_read_cohort(user, found[0]):
        raise Http404
    return found[0]


def _cohort_rule_sql(user, cohort: Cohort) -> tuple[str, list]:
    """``cohorts_visible_to`` for one cohort as one EXISTS (the user is signed in, not a superuser)."""
    grants = AcceleratorRole._meta.db_table
    if cohort.status != Cohort.Status.LAUNCHED:
        # A draft: only an accelerator-wide program admin (cohorts_visible_to's rule).
        sql = f"""EXISTS (SELECT 1 FROM {grants} g WHERE g.user_id = %s
            AND g.accelerator_id = %s AND g.cohort_id IS NULL AND g.role = %s)"""
        return sql, [user.pk, cohort.accelerator_id, Role.PROGRAM_ADMIN.value]
    sql = f"""EXISTS (SELECT 1 FROM {grants} g WHERE g.user_id = %s
        AND ((g.accelerator_id = %s AND g.cohort_id IS NULL) OR g.cohort_id = %s))"""
    return sql, [user.pk, cohort.accelerator_id, cohort.pk]


def visible_cohorts_where(user, accelerator_id: int, alias: str = "t") -> tuple[str, tuple]:
    """``cohorts_visible_to`` for the cohorts of one accelerator, as SQL about the cohort ``alias``.

    The overview's and the accelerator report's digests ask it on every view: fixed SQL costs
    nothing to build and less to plan than the queryset (tests/members/test_access_matrix.py holds
    the two forms to the same answers)."""
    if not user.is_authenticated:
        return "1 = 0", ()
    if user.is_superuser:
        return f"{alias}.accelerator_id = %s", (accelerator_id,)
    grants = AcceleratorRole._meta.db_table
    sql = f"""{alias}.accelerator_id = %s AND (
        ({alias}.status = %s AND EXISTS (SELECT 1 FROM {grants} g WHERE g.user_id = %s
            AND ((g.accelerator_id = %s AND g.cohort_id IS NULL) OR g.cohort_id = {alias}.id)))
        OR EXISTS (SELECT 1 FROM {grants} g WHERE g.user_id = %s AND g.accelerator_id = %s
            AND g.cohort_id IS NULL AND g.role = %s))"""
    params = (accelerator_id, Cohort.Status.LAUNCHED.value, user.pk, accelerator_id, user.pk, accelerator_id)
    return sql, (*params, Role.PROGRAM_ADMIN.value)


def can_read_cohort(user, cohort: Cohort) -> bool:
    """``cohorts_visible_to`` for one cohort: the same rule as one fixed statement.

    The cohort board asks on every view, so the rule is not rebuilt as a queryset each time
    (its EXISTS cost more to build than to run); tests/members/test_access_matrix.py holds the
    two forms to the same answers for every role.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    sql, params = _cohort_rule_sql(user, cohort)
    with reading_connection().cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return bool(cursor.fetchone()[0])


def can_read_challenge(user, challenge) -> bool:
    """``challenge_visibility`` for one challenge (its cohort's rule, or a seat on its team), as one
    fixed statement that also reads the reader's seats on the team and keeps them on the challenge
    for the rest of the request (``seat_roles``): the challenge page asks both on every view."""
    if not user.is_authenticated:
        return False
    cohort_sql, params = _cohort_rule_sql(user, challenge.cohort)
    # One row per seat, or one row with no role: portable SQL (the embedded default is SQLite).
    sql = f"""SELECT m.role, {cohort_sql} FROM (SELECT 1 AS one) AS x
        LEFT JOIN {Membership._meta.db_table} m ON m.user_id = %s AND m.challenge_id = %s"""
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, [*params, user.pk, challenge.pk])
        rows = cursor.fetchall()
    roles = frozenset(role for role, _by_cohort in rows if role is not None)
    challenge._reader_seats = (user.pk, roles)
    return user.is_superuser or bool(rows[0][1]) or bool(roles)


def seat_roles(user, challenge) -> frozenset[str]:
    """The roles ``user`` holds on ``challenge``'s team: as ``can_read_challenge`` read them in this
    request, else one query."""
    if not user.is_authenticated:
        return frozenset()
    kept = getattr(challenge, "_reader_seats", None)
    if kept is not None and kept[0] == user.pk:
        return kept[1]
    return frozenset(Membership.objects.filter(challenge=challenge, user=user).values_list("role", flat=True))


POSTING_ROLES = frozenset({Membership.Role.TEAM_LEAD.value, Membership.Role.COACH.value})


def can_post_progress(user, challenge) -> bool:
    """Only the challenge's team lead and coach post check-ins and manage blockers and stations."""
    if user.is_superuser:
        return True
    return bool(seat_roles(user, challenge) & POSTING_ROLES)


def get_accelerator_for_reader(user, slug: str) -> Accelerator:
    """An accelerator's dashboards: any grant there (a team seat is not enough); 404 otherwise."""
    accelerator = dashboard_accelerators(user).filter(slug=slug).first()
    if accelerator is None:
        raise Http404
    return accelerator


def dashboard_accelerators(user) -> QuerySet[Accelerator]:
    """Accelerators with dashboards for ``user``: any grant there (a team seat is not enough)."""
    if not user.is_authenticated:
        return Accelerator.objects.none()
    if user.is_superuser:
        return Accelerator.objects.all()
    return Accelerator.objects.filter(Exists(AcceleratorRole.objects.filter(user=user, accelerator=OuterRef("pk"))))


ACCELERATOR_ADMIN = Scope("slug", "accelerator", get_accelerator_for_admin)
ACCELERATOR_READER = Scope("slug", "accelerator", get_accelerator_for_reader)
COHORT_ADMIN = Scope("cohort_id", "cohort", get_cohort_for_admin)
COHORT_READER = Scope("cohort_id", "cohort", get_cohort_for_reader)
