"""Every URL pattern × every role × GET and POST gives the outcome its view declares."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from members.policy import FORBIDDEN, LOGIN, NOT_ALLOWED, NOT_FOUND, OK, ROLES, TOKEN_ROLES, UNAUTHORIZED
from tests.access_world import URL_KWARGS

SKIPPED_NAMESPACES = {"admin"}  # Django's own admin guards itself (staff + model permissions)


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), entry, name


WALKED = list(walk(get_resolver().url_patterns))
PATTERNS = [(route, pattern) for route, pattern, _name in WALKED]
NAMES = {route: name for route, _pattern, name in WALKED}


# Rows that a refused request may legitimately touch: sessions (signing in), axes' bookkeeping.
UNWATCHED_APPS = {"sessions", "axes"}


def watched_tables() -> dict[str, str]:
    return {
        model._meta.label: model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label not in UNWATCHED_APPS and model._meta.managed
    }


def snapshot() -> dict[str, object]:
    """Every row of every model (the world is small), for what must leave all of them as they were
    and may write meanwhile (the simulation rolls back what it wrote: tests/challenges/test_simulate.py).

    On PostgreSQL, one statement: per table, the number of rows and a digest of all of them (each
    row's text, in order), so any row added, removed or changed shows; refusing a request used to
    cost a query per model and a sort of every row in Python, twice. Elsewhere the rows themselves,
    read with plain SQL on one cursor."""
    tables = watched_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, COUNT(*), md5(COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                    f"FROM {quote(table)} AS t"
                    for table in tables.values()
                ),
                list(tables),
            )
            return {label: (count, digest) for label, count, digest in cursor.fetchall()}
        state = {}
        for label, table in tables.items():
            cursor.execute(f"SELECT * FROM {quote(table)}")
            state[label] = sorted(cursor.fetchall(), key=repr)
    return state


def writes() -> dict[str, object]:
    """What a refused POST must not do: write a row of a watched model, at all.

    On PostgreSQL, the rows this transaction (the test's) has inserted, updated or deleted so far in
    each table (``pg_stat_xact_user_tables``): one small read, and stricter than comparing the rows
    (``snapshot``), since a refused request that writes anything, even the same values or a write it
    rolls back, moves the count. Elsewhere the rows themselves (``snapshot``)."""
    if connection.vendor != "postgresql":
        return snapshot()
    tables = watched_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE schemaname = current_schema() AND relname = ANY(%s)",
            [list(tables.values())],
        )
        written = dict(cursor.fetchall())
    return {label: written.get(table, 0) for label, table in tables.items()}


def changed_models(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


@pytest.mark.django_db
def test_what_the_matrix_compares_sees_a_write_of_any_kind(standard_world):
    """What the matrix compares around a refused POST: an insert, an update and a delete each show,
    in the model written; on PostgreSQL an update of the same values too."""
    from challenges.models import Notification

    person = standard_world.people["member"]
    before = writes()
    notification = Notification.objects.create(user=person, challenge=standard_world.challenge, message="N")
    assert changed_models(before, after := writes()) == ["challenges.Notification"]
    notification.message = "N, read"
    notification.save(update_fields=["message"])
    assert changed_models(after, again := writes()) == ["challenges.Notification"]
    if connection.vendor == "postgresql":
        notification.save(update_fields=["message"])  # the same value written again
        assert changed_models(again, again := writes()) == ["challenges.Notification"]
    notification.delete()
    assert changed_models(again, writes()) == ["challenges.Notification"]


def outcome_of(response) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    if response.status_code in (401, 403, 404, 405):
        return {401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}[response.status_code]
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    return OK


def test_every_view_declares_who_may_use_it():
    undeclared = [route for route, pattern in PATTERNS if not hasattr(pattern.callback, "access_policy")]
    assert undeclared == [], "add @access(...) from members.policy to these views"


def test_every_url_kwarg_has_a_world_object():
    unknown = {name for _route, pattern in PATTERNS for name in pattern.pattern.converters} - set(URL_KWARGS)
    assert unknown == set(), "add these kwargs to tests/access_world.URL_KWARGS"


@pytest.fixture(scope="module")
def clients(_standard_world_of_the_module, django_db_blocker) -> dict:
    """A test client per role, made once for the module (a client loads the middleware on its first
    request), and a signed-in session per person of the world, made inside the module's
    transaction, so each test's rollback leaves the sessions as they were made."""
    from django.test import Client

    sessions = {}
    with django_db_blocker.unblock():
        for role, person in _standard_world_of_the_module.people.items():
            if person is not None:
                signed_in = Client()
                signed_in.force_login(person)
                sessions[role] = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    return {"sessions": sessions, "clients": {role: Client() for role in ROLES + TOKEN_ROLES}}


def client_as(role: str, clients: dict):
    """``role``'s client with its session cookie only (nothing its requests in an earlier test left
    behind), or no cookie at all (tokens, anonymous)."""
    from http.cookies import SimpleCookie

    client = clients["clients"][role]
    client.cookies = SimpleCookie()
    if role in clients["sessions"]:
        client.cookies[settings.SESSION_COOKIE_NAME] = clients["sessions"][role]
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "pattern"), PATTERNS, ids=[route or "/" for route, _ in PATTERNS])
def test_the_declared_outcome_for_every_role(standard_world, clients, route, pattern):
    policy = getattr(pattern.callback, "access_policy", None)
    if policy is None:
        pytest.fail(f"{route} declares no access policy")
    world = standard_world
    kwargs = {name: URL_KWARGS[name](world) for name in pattern.pattern.converters}
    assert NAMES[route], f"{route} needs a name so the matrix can reverse it"
    path = reverse(NAMES[route], kwargs=kwargs)
    mismatches = []
    api = route.startswith("api/")
    for role in ROLES + TOKEN_ROLES:
        client = client_as(role, clients)
        headers = {}
        if role in TOKEN_ROLES:
            headers["Authorization"] = f"Bearer {world.tokens[role]}"
        for method in ("GET", "POST"):
            expected = policy.expected(method, role)
            before = writes() if method == "POST" and expected != OK else None
            if method == "GET":
                response = client.get(path, headers=headers)
            elif api:  # the API takes JSON: an empty object, which its form then refuses or not
                response = client.post(path, {}, content_type="application/json", headers=headers)
            else:
                response = client.post(path, {}, headers=headers)
            got = outcome_of(response)
            if got != expected:
                mismatches.append(f"{method} {path} as {role}: expected {expected}, got {got}")
            elif method == "GET" and expected == OK and response.status_code != 200:
                # Readers get the page itself, not a detour.
                mismatches.append(f"GET {path} as {role}: expected 200, got {response.status_code}")
            if api and response.status_code >= 400:
                assert response["Content-Type"].startswith("application/problem+json"), (method, path, role)
            if before is not None and (changed := changed_models(before, writes())):
                mismatches.append(f"POST {path} as {role} was refused ({got}) but changed {changed}")
    assert mismatches == []


@pytest.mark.django_db
def test_the_one_cohort_check_agrees_with_the_visibility_rule(standard_world):
    """``can_read_cohort`` (one fixed statement, asked by the board) and ``cohorts_visible_to`` (the
    queryset the lists use) are the same rule: same answer for every person and cohort."""
    from django.contrib.auth.models import AnonymousUser

    from cohorts.models import Cohort
    from members.access import can_read_cohort, cohorts_visible_to, visible_cohorts_where
    from members.models import AcceleratorRole
    from tests.factories import CohortFactory, GrantFactory

    world = standard_world
    second = CohortFactory(accelerator=world.accelerator)
    narrow = GrantFactory(accelerator=world.accelerator, cohort=second, role=AcceleratorRole.Role.OFFICIAL).user
    draft = CohortFactory(accelerator=world.accelerator, draft=True)
    of_draft = GrantFactory(accelerator=world.accelerator, cohort=draft, role=AcceleratorRole.Role.OFFICIAL).user
    people = [person or AnonymousUser() for person in world.people.values()] + [narrow, of_draft]
    cohorts = list(Cohort.objects.all())
    accelerators = {c.accelerator_id for c in cohorts}
    for person in people:
        visible = set(cohorts_visible_to(person).values_list("pk", flat=True))
        assert {c.pk for c in cohorts if can_read_cohort(person, c)} == visible, person
        # The overview's digest asks the same rule as fixed SQL, one accelerator at a time.
        for accelerator_id in accelerators:
            where, params = visible_cohorts_where(person, accelerator_id)
            found = {c.pk for c in Cohort.objects.raw(f"SELECT * FROM cohorts_cohort t WHERE {where}", params)}
            assert found == {c.pk for c in cohorts if c.pk in visible and c.accelerator_id == accelerator_id}, person
    assert set(cohorts_visible_to(narrow).values_list("pk", flat=True)) == {second.pk}
    # A draft is the program admins' (and superusers') alone, whatever grant an official holds.
    assert not cohorts_visible_to(of_draft).exists()
    for role in ("official_in_scope", "coach", "team_lead"):
        assert draft.pk not in set(cohorts_visible_to(world.people[role]).values_list("pk", flat=True)), role
    for role in ("admin", "superuser"):
        assert draft.pk in set(cohorts_visible_to(world.people[role]).values_list("pk", flat=True)), role


@pytest.mark.django_db
def test_the_one_challenge_check_agrees_with_the_visibility_rule(standard_world):
    """``can_read_challenge`` (one fixed statement, asked by the challenge page and its forms) and
    ``challenges_visible_to`` (the queryset the lists use) are the same rule for every person and
    challenge; the seats it keeps on the challenge give ``can_post_progress`` the answer a fresh
    query gives."""
    from django.contrib.auth.models import AnonymousUser

    from challenges.access import challenges_visible_to
    from challenges.models import Challenge
    from members.access import can_post_progress, can_read_challenge, seat_roles
    from members.models import AcceleratorRole, Membership
    from tests.factories import ChallengeFactory, CohortFactory, GrantFactory, MembershipFactory

    world = standard_world
    second = CohortFactory(accelerator=world.accelerator)
    in_second = ChallengeFactory(cohort=second)
    narrow = GrantFactory(accelerator=world.accelerator, cohort=second, role=AcceleratorRole.Role.OFFICIAL).user
    draft = CohortFactory(accelerator=world.accelerator, draft=True)
    in_draft = ChallengeFactory(cohort=draft)
    seated_in_draft = MembershipFactory(challenge=in_draft, role=Membership.Role.MEMBER).user
    two_seats = MembershipFactory(challenge=in_second, role=Membership.Role.SPONSOR).user
    MembershipFactory(challenge=in_second, user=two_seats, role=Membership.Role.COACH)
    people = [person or AnonymousUser() for person in world.people.values()] + [narrow, seated_in_draft, two_seats]
    challenges = list(Challenge.objects.select_related("cohort"))
    for person in people:
        visible = set(challenges_visible_to(person).values_list("pk", flat=True))
        assert {c.pk for c in challenges if can_read_challenge(person, c)} == visible, person
        for challenge in challenges:
            kept = can_post_progress(person, challenge) if person.is_authenticated else False
            fresh = Challenge.objects.get(pk=challenge.pk)  # nothing kept on it
            assert kept == (person.is_authenticated and can_post_progress(person, fresh)), (person, challenge)
    assert {c.pk for c in challenges if can_read_challenge(narrow, c)} == {in_second.pk}
    assert {c.pk for c in challenges if can_read_challenge(seated_in_draft, c)} == {in_draft.pk}
    assert seat_roles(two_seats, in_second) == {"sponsor", "coach"}
    assert can_post_progress(two_seats, in_second)
