"""Errors as Problem Details (RFC 9457): ``application/problem+json`` with type, title, status, detail.

Every error the API gives goes through ``problem``: the exception handlers of the API object,
and ``ProblemResponses`` middleware for what Django answers before or around the API's views
(an unknown path, a method not served, a body too large, a server error), so no API client
ever gets an HTML page.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Request too large"),
        422: _("Invalid input"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


def problem(status: int, detail: str = "", *, errors: dict | None = None, headers: dict | None = None) -> HttpResponse:
    body = {"type": "about:blank", "title": _titles().get(status, _("Error")), "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def is_api_path(path: str) -> bool:
    return path.startswith(settings.API_PATH_PREFIX)


class ProblemResponses:
    """Turn what Django answers under the API's path without our help into Problem Details."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_api_path(request.path) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith((PROBLEM_TYPE, "application/json")):
            return response
        converted = problem(response.status_code, _detail_for(response.status_code))
        if "Allow" in response:
            converted["Allow"] = response["Allow"]
        return converted

    def process_exception(self, request, exception):
        # 404, 403 and the like become responses on Django's usual path; __call__ converts them.
        if not is_api_path(request.path) or isinstance(exception, (Http404, PermissionDenied, SuspiciousOperation)):
            return None
        log.exception("API request failed", exc_info=exception)
        return problem(500, _("The server could not answer this request; it has been logged."))


def _detail_for(status: int) -> str:
    return {
        404: _("There is nothing at this address in the API."),
        405: _("This address does not take that method; see the Allow header."),
        403: _("This request was refused."),
        400: _("The request could not be read."),
    }.get(status, "")
