"""The API object: its routers, how callers authenticate, and how every error is answered.

This is the one place the routers are declared: ``reads`` (GET only, ETag'd, a token's lists kept
per state of their data; the place to mark "reads from the replica" once the database router
exists) and ``writes``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from . import reads, writes
from .auth import RateLimited, SessionAuth, TokenAuth
from .cache import keep_marked
from .conditional import conditional_get
from .problems import PROBLEM_TYPE, problem

DESCRIPTION = """The Accelerators platform for integrations: accelerators, cohorts with their results,
challenges (phase, day, progress against expected, status, latest values, phase transitions and
stations) and check-ins; posting a check-in. Authenticate with an accelerator's API token
(`Authorization: Bearer acc_…`, made by a program admin on the accelerator's Integrations page).
Errors are Problem Details (RFC 9457). Reads carry an `ETag`; send it back in `If-None-Match` to get
304 while nothing changed."""


class AcceleratorsAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Errors are documented as what they are: ``application/problem+json``."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_TYPE] = content.pop("application/json")
        return schema


api = AcceleratorsAPI(
    title="Accelerators API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # Swagger UI would load scripts from a CDN; the OpenAPI document is served
    docs_decorator=require_safe,
    auth=[TokenAuth(), SessionAuth()],
)

reads.router.add_decorator(conditional_get, mode="view")
reads.router.add_decorator(keep_marked, mode="operation")  # the lists marked ``kept_for_tokens``
api.add_router("", reads.router)
api.add_router("", writes.router)


def _errors(error: ValidationError) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in error.errors:
        # ("body", "payload", "value") → "value"; ("query", "limit") → "limit".
        where = str((item.get("loc") or ("body",))[-1])
        found.setdefault(where, []).append(str(item.get("msg", "")))
    return found


@api.exception_handler(ValidationError)
def _invalid(request, error: ValidationError):
    return problem(422, _("Some of the input was refused; see errors."), errors=_errors(error))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, error):
    response = problem(401, _("Send an API token as “Authorization: Bearer <token>”."))
    response["WWW-Authenticate"] = 'Bearer realm="accelerators"'
    return response


@api.exception_handler(AuthorizationError)
@api.exception_handler(PermissionDenied)
def _forbidden(request, error):
    return problem(403, _("You may read this, but not change it."))


@api.exception_handler(Http404)
def _not_found(request, error):
    return problem(404, _("Not found, or not yours to see."))


@api.exception_handler(RateLimited)
def _rate_limited(request, error: RateLimited):
    detail = _("Too many requests; at most %(limit)s a minute. Try again in %(seconds)s seconds.") % {
        "limit": error.limit,
        "seconds": error.retry_after,
    }
    return problem(429, detail, headers={"Retry-After": str(error.retry_after)})


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    if error.status_code == 400:
        return problem(400, _("The request body is not valid JSON."))
    return problem(error.status_code, str(error))
