"""Every URL declares who may use it, and ``access`` enforces it; the access-matrix test holds it to that.

A view is decorated with ``@access(POLICY, SCOPE)``. The matrix test walks the URL resolver, builds one
standard world (``tests/access_world.py``: an accelerator with a cohort and challenges, another
accelerator, and one person per role), requests every pattern as every role with GET and POST,
and asserts the declared outcome. A view without a declaration fails the suite.

Outcomes: ``OK`` (2xx, or a redirect that is not to the login page), ``LOGIN`` (302 to login),
``FORBIDDEN`` (403), ``NOT_FOUND`` (404), ``NOT_ALLOWED`` (405: the method is not served).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseNotAllowed

OK, LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "ok", "login", "403", "404", "405"
UNAUTHORIZED = "401"  # the API's answer to a request without (valid) credentials

ROLES = [
    "anonymous",
    "official_in_scope",  # official granted accelerator A
    "official_out_of_scope",  # official granted accelerator B only
    "member",  # member of challenge X (in A)
    "team_lead",  # team lead of challenge X
    "team_lead_other",  # team lead of challenge Y (same cohort), nothing on X
    "coach",  # coach seat on challenge X
    "sponsor",  # sponsor of challenge X
    "admin",  # program admin of accelerator A
    "admin_other",  # program admin of accelerator B
    "superuser",
]

# Callers of the API with a token instead of a session (``api.models.ApiToken``). To a page they
# are anonymous: unless a policy names them, they get what ``anonymous`` gets.
TOKEN_ROLES = [
    "read_token",  # a read token of accelerator A
    "write_token",  # a token of accelerator A that may post check-ins
    "write_token_other",  # a write token of accelerator B
    "revoked_token",  # a write token of accelerator A, revoked
]


@dataclass(frozen=True)
class Policy:
    name: str
    get: dict[str, str]
    post: dict[str, str] = field(default_factory=dict)
    # Whether the outcome depends on an object the URL names (a challenge, a cohort...): then the
    # view must say how that object is found (its ``Scope``).
    scoped: bool = False

    def expected(self, method: str, role: str) -> str:
        table = self.get if method == "GET" else self.post
        if role in TOKEN_ROLES and role not in table:
            role = "anonymous"
        return table.get(role, NOT_ALLOWED)


def _table(default: str, **overrides: str) -> dict[str, str]:
    return {role: overrides.get(role, default) for role in ROLES}


def _signed_in(outcome: str, **overrides: str) -> dict[str, str]:
    return _table(outcome, anonymous=LOGIN, **overrides)


_CHALLENGE_READERS = _signed_in(OK, official_out_of_scope=NOT_FOUND, team_lead_other=NOT_FOUND, admin_other=NOT_FOUND)
_CHALLENGE_WRITERS = _signed_in(
    FORBIDDEN,
    official_out_of_scope=NOT_FOUND,
    team_lead_other=NOT_FOUND,
    admin_other=NOT_FOUND,
    team_lead=OK,
    coach=OK,
    superuser=OK,
)
# Journey artifacts: everyone who owns one (team lead, coach, sponsor; program admins the challenge
# note); which one each may write is the artifact's own rule (``journey.services.may_write``).
_JOURNEY_WRITERS = {**_CHALLENGE_WRITERS, "sponsor": OK, "admin": OK}
# The pledge: the sponsor's own word, so only the sponsor (not even a superuser) signs it.
_PLEDGE_SIGNERS = {
    **_CHALLENGE_WRITERS,
    "team_lead": FORBIDDEN,
    "coach": FORBIDDEN,
    "superuser": FORBIDDEN,
    "sponsor": OK,
}
_COHORT_READERS = _signed_in(NOT_FOUND, official_in_scope=OK, admin=OK, superuser=OK)
_ADMINS = _signed_in(FORBIDDEN, official_out_of_scope=NOT_FOUND, admin_other=NOT_FOUND, admin=OK, superuser=OK)

PUBLIC = Policy("public", get=_table(OK), post=_table(OK))
PUBLIC_PAGE = Policy("public page", get=_table(OK))
PUBLIC_ACTION = Policy("anyone (POST only)", get={}, post=_table(OK))
SIGNED_IN = Policy("any signed-in person", get=_signed_in(OK), post=_signed_in(OK))
SIGNED_IN_PAGE = Policy("any signed-in person (read)", get=_signed_in(OK))
CHALLENGE_READ = Policy("readers of challenge X", get=_CHALLENGE_READERS, scoped=True)
CHALLENGE_WRITE_POST = Policy(
    "team lead and coach of challenge X (POST only)", get={}, post=_CHALLENGE_WRITERS, scoped=True
)
JOURNEY_WRITE_POST = Policy(
    "owners of challenge X's journey artifacts (POST only)", get={}, post=_JOURNEY_WRITERS, scoped=True
)
PLEDGE_SIGN_POST = Policy("sponsor of challenge X (POST only)", get={}, post=_PLEDGE_SIGNERS, scoped=True)
# A notification is opened only by the person it is for (the world's one is the team lead's).
NOTIFICATION_OPEN_POST = Policy(
    "the person notification N is for (POST only)", get={}, post=_signed_in(NOT_FOUND, team_lead=OK), scoped=True
)
COHORT_READ = Policy("readers of accelerator A's dashboards", get=_COHORT_READERS, scoped=True)
# Asking again for a report's PDF that failed: whoever may read the report.
COHORT_READ_POST = Policy(
    "readers of accelerator A's dashboards (POST only)", get={}, post=_COHORT_READERS, scoped=True
)
ADMIN = Policy("program admins of accelerator A", get=_ADMINS, post=_ADMINS, scoped=True)
ADMIN_POST = Policy("program admins of accelerator A (POST only)", get={}, post=_ADMINS, scoped=True)
ADMIN_PAGE = Policy("program admins of accelerator A (read)", get=_ADMINS, scoped=True)
# An accelerator's public results: anyone, signed in or not, once its program team publishes them;
# the access matrix's accelerator has not, so every role gets 404 there (tests/dashboards hold the
# published case).
PUBLIC_RESULTS = Policy("anyone, once the accelerator publishes its results", get=_table(NOT_FOUND), scoped=True)
# The API (api/urls.py): a person with a session gets what the pages give them; a token of
# accelerator A reads what an official granted A reads, and a write token posts check-ins there.
_API_NO_CREDENTIALS = {"anonymous": UNAUTHORIZED, "revoked_token": UNAUTHORIZED}
_API_TOKENS_OF_A = {"read_token": OK, "write_token": OK, "write_token_other": NOT_FOUND}


def _api(table: dict[str, str], **tokens: str) -> dict[str, str]:
    return {**table, **_API_NO_CREDENTIALS, **_API_TOKENS_OF_A, **tokens}


API_PUBLIC = Policy("the API's OpenAPI document (anyone)", get={**_table(OK), **dict.fromkeys(TOKEN_ROLES, OK)})
_EVERYONE_NOT_FOUND = {**_table(NOT_FOUND), **dict.fromkeys(TOKEN_ROLES, NOT_FOUND)}
API_ROOT = Policy("the API's root (nothing there: 404 for everyone)", get=_EVERYONE_NOT_FOUND, post=_EVERYONE_NOT_FOUND)
API_LIST = Policy("API lists (each filtered to what the caller sees)", get=_api(_table(OK), write_token_other=OK))
API_ACCELERATOR = Policy(
    "API: accelerator A (anyone it is visible to)",
    get=_api(_table(OK, official_out_of_scope=NOT_FOUND, admin_other=NOT_FOUND)),
)
API_COHORT = Policy("API: readers of accelerator A's dashboards", get=_api(_COHORT_READERS))
API_CHALLENGE = Policy("API: readers of challenge X", get=_api(_CHALLENGE_READERS))
API_CHECKIN_POST = Policy(
    "API: post a check-in to challenge X (its team lead and coach; a write token of A)",
    get={},
    post=_api(_CHALLENGE_WRITERS, read_token=FORBIDDEN),
)
DJANGO_ADMIN = Policy("Django's own admin (staff only; checked by Django)", get={}, post={})
# The simulation page (issue 13): program admins, and coaches of the cohort; officials may only read it.
SIMULATE = Policy(
    "program admins and coaches of cohort A (read; nothing is kept)",
    get=_signed_in(NOT_FOUND, official_in_scope=FORBIDDEN, coach=OK, admin=OK, superuser=OK),
    scoped=True,
)


@dataclass(frozen=True)
class Scope:
    """How a view's object is found for the person asking: the URL argument it takes (``kwarg``),
    the view argument it gives (``provides``), and ``resolve(user, value)``, which returns the object
    or raises Http404 (outside what they may see) or PermissionDenied (they may only read it)."""

    kwarg: str
    provides: str
    resolve: Callable[[object, object], object]


def _allowed(policy: Policy) -> list[str]:
    return (["GET", "HEAD"] if policy.get else []) + (["POST"] if policy.post else [])


def access(policy: Policy, scope: Scope | None = None):
    """Declare who may use a view, and enforce it before the view's body runs.

    In order: a method the policy does not serve gets 405; an anonymous reader of a signed-in
    page is sent to sign in; then ``scope`` finds the view's object for this person (404 out of
    scope, 403 read-only) and passes it to the view in place of its id. The access-matrix test
    (``tests/members/test_access_matrix.py``) requests every URL as every role and holds each
    view to its declared outcomes.
    """
    if policy.scoped and scope is None:
        raise ImproperlyConfigured(f"the policy {policy.name!r} needs a scope to find the object it protects")
    methods = _allowed(policy)

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            table = policy.post if request.method == "POST" else policy.get
            if table.get("anonymous") == LOGIN and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if scope is not None:
                kwargs[scope.provides] = scope.resolve(request.user, kwargs.pop(scope.kwarg))
            return view(request, *args, **kwargs)

        guarded.access_policy = policy
        guarded.access_scope = scope
        return guarded

    return decorate
