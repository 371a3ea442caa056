"""How a request to the API says who it is: a token (``Authorization: Bearer``) or a session.

Either gives a ``Principal``; then the request counts against that principal's rate limit.
"""

from __future__ import annotations

from django.conf import settings
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from .principals import Principal
from .ratelimit import check_rate
from .tokens import token_authenticate


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int):
        super().__init__("rate limited")
        self.retry_after = retry_after
        self.limit = limit


def _admitted(request, principal: Principal) -> Principal:
    verdict = check_rate(principal.key)
    if not verdict.allowed:
        raise RateLimited(verdict.retry_after, verdict.limit)
    request.rate_verdict = verdict
    return principal


class TokenAuth(HttpBearer):
    """An API token of an accelerator (made on its Integrations page)."""

    def authenticate(self, request, token: str):
        found = token_authenticate(token)
        if found is None:
            # A token was presented and is not valid: refused, even with a session beside it.
            raise AuthenticationError
        return _admitted(request, Principal(token=found))


class SessionAuth(APIKeyCookie):
    """A signed-in person's session, with the pages' rules (writes need the CSRF token)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        # A cookie that is no session is no credential: 401, not a CSRF refusal (403).
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return _admitted(request, Principal(user=request.user))
        return None
