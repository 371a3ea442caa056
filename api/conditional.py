"""``ETag`` and ``If-None-Match`` for the API's reads.

The tag is the SHA-256 of the response body, which is made of the data the reader may see and
nothing else (no time stamp of the request), so it changes exactly when that data does; a client
that sends it back gets 304 and no body while nothing changed.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.http import HttpResponse, HttpResponseNotModified


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def _matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110, 13.1.2): W/"x" and "x" are the same tag.
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return etag in tags


def with_etag(request, response: HttpResponse) -> HttpResponse:
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    etag = etag_of(response.content)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Authorization, Cookie, Accept-Language"
    if _matches(request.headers.get("If-None-Match", ""), etag):
        not_modified = HttpResponseNotModified()
        for name in ("ETag", "Cache-Control", "Vary"):
            not_modified[name] = response[name]
        return not_modified
    return response


def conditional_get(run):
    """Router decorator (mode "view"): every read answers with an ETag and honours If-None-Match."""

    @wraps(run)
    def wrapped(request, *args, **kwargs):
        return with_etag(request, run(request, *args, **kwargs))

    return wrapped
