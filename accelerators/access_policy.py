"""Every URL declares who may use it; ``tests/accelerators/test_access_matrix.py`` holds it to that.

A view is decorated with ``@access(POLICY)``. The matrix test walks the URL resolver, builds one
standard world (``tests/access_world.py``: an accelerator with a cohort and challenges, another
accelerator, and one person per role), requests every pattern as every role with GET and POST,
and asserts the declared outcome. A view without a declaration fails the suite.

Outcomes: ``OK`` (2xx, or a redirect that is not to the login page), ``LOGIN`` (302 to login),
``FORBIDDEN`` (403), ``NOT_FOUND`` (404), ``NOT_ALLOWED`` (405: the method is not served).
"""

from dataclasses import dataclass, field

OK, LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "ok", "login", "403", "404", "405"

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


@dataclass(frozen=True)
class Policy:
    name: str
    get: dict[str, str]
    post: dict[str, str] = field(default_factory=dict)

    def expected(self, method: str, role: str) -> str:
        table = self.get if method == "GET" else self.post
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
_COHORT_READERS = _signed_in(NOT_FOUND, official_in_scope=OK, admin=OK, superuser=OK)
_ADMINS = _signed_in(FORBIDDEN, official_out_of_scope=NOT_FOUND, admin_other=NOT_FOUND, admin=OK, superuser=OK)

PUBLIC = Policy("public", get=_table(OK), post=_table(OK))
PUBLIC_PAGE = Policy("public page", get=_table(OK))
PUBLIC_ACTION = Policy("anyone (POST only)", get={}, post=_table(OK))
SIGNED_IN = Policy("any signed-in person", get=_signed_in(OK), post=_signed_in(OK))
SIGNED_IN_PAGE = Policy("any signed-in person (read)", get=_signed_in(OK))
CHALLENGE_READ = Policy("readers of challenge X", get=_CHALLENGE_READERS)
CHALLENGE_WRITE = Policy("team lead and coach of challenge X", get=_CHALLENGE_WRITERS, post=_CHALLENGE_WRITERS)
CHALLENGE_WRITE_POST = Policy("team lead and coach of challenge X (POST only)", get={}, post=_CHALLENGE_WRITERS)
COHORT_READ = Policy("readers of accelerator A's dashboards", get=_COHORT_READERS)
ADMIN = Policy("program admins of accelerator A", get=_ADMINS, post=_ADMINS)
ADMIN_POST = Policy("program admins of accelerator A (POST only)", get={}, post=_ADMINS)
ADMIN_PAGE = Policy("program admins of accelerator A (read)", get=_ADMINS)
DJANGO_ADMIN = Policy("Django's own admin (staff only; checked by Django)", get={}, post={})


def access(policy: Policy):
    """Declare who may use a view (checked by the access-matrix test, enforced by the view)."""

    def decorate(view):
        view.access_policy = policy
        return view

    return decorate
