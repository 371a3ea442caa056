"""Reports as PDF, made on the server with WeasyPrint from the same HTML as the page.

Nothing is fetched from the network: the only URLs a report may load are our own static files
(the PDF stylesheet and the self-hosted @fontsource fonts it names), read straight from disk
through the static-files finders (or ``STATIC_ROOT`` once collected). Pango and HarfBuzz shape
Arabic and lay it out right to left from the page's ``dir="rtl"``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

# A base URL of our own that never resolves on a network: every relative URL lands under it.
BASE_URL = "https://report.invalid/"


class RefusedURL(ValueError):
    pass


def _static_file(url: str) -> Path:
    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        raise RefusedURL(url)
    relative = url[len(prefix) :].split("?", 1)[0]
    if ".." in Path(relative).parts:
        raise RefusedURL(url)
    found = finders.find(relative)
    if found is None and settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT) / relative
        found = str(candidate) if candidate.is_file() else None
    if found is None:
        raise RefusedURL(url)
    return Path(found)


def _fetcher():
    """A WeasyPrint fetcher that serves our static files from disk and refuses every other URL."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = _static_file(url)
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})

    return StaticOnly(fail_on_errors=False)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on use: loading Pango costs the pages that never print

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).write_pdf()
