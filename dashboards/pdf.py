"""Reports as PDF, made on the server with WeasyPrint from the same HTML as the page.

Nothing is fetched from the network: the only URLs a report may load are our own static files
(the PDF stylesheet and the self-hosted @fontsource fonts it names), read straight from disk
through the static-files finders (or ``STATIC_ROOT`` once collected). Pango and HarfBuzz shape
Arabic and lay it out right to left from the page's ``dir="rtl"``.

Where the time goes (a 300-challenge report): WeasyPrint parses the HTML in pure Python, styles
every element (an inline SVG's shapes are elements of the page like any other) and lays it out.
So each chart marked ``data-pdf-image`` is lifted out of the page into an SVG image of its own,
served to WeasyPrint from memory: parsed by ElementTree, not styled by the page's cascade, drawn
the same. With the legend printed once rather than under every chart, that takes about 45% off
the CPU time of a 300-challenge report (docs in the README, "The 100 journey").
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

# A base URL of our own that never resolves on a network: every relative URL lands under it.
BASE_URL = "https://report.invalid/"
# Where the charts lifted out of the page are served from (memory, for one PDF).
IMAGES_URL = BASE_URL + "pdf-images/"
SVG_NS = "http://www.w3.org/2000/svg"
_LIFTED_SVG = re.compile(r"<svg\b[^>]*\bdata-pdf-image\b[^>]*>.*?</svg>", re.S)
_VIEWBOX = re.compile(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"')
_CLASS = re.compile(r' class="[^"]*"')


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


def lift_svgs(html: str) -> tuple[str, dict[str, bytes]]:
    """Each ``<svg data-pdf-image>`` replaced by an ``<img>`` of it; returns the page and the images.

    The image is the same drawing as a document of its own: the SVG namespace, its size from its
    viewBox, and no ``class`` (the pages' Tailwind classes mean nothing to an image; every colour
    is an attribute too).
    """
    images: dict[str, bytes] = {}

    def lift(match: re.Match) -> str:
        svg = _CLASS.sub("", match.group(0))
        size = _VIEWBOX.search(svg)
        width, height = (size.group(1), size.group(2)) if size else ("640", "280")
        svg = svg.replace("<svg", f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}"', 1)
        url = f"{IMAGES_URL}{len(images)}.svg"
        images[url] = svg.encode()
        return f'<img class="pdf-chart" src="{url}" alt="">'

    return _LIFTED_SVG.sub(lift, html), images


def _fetcher(images: dict[str, bytes] | None = None):
    """A WeasyPrint fetcher that serves our static files from disk and refuses every other URL."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    images = images or {}

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url in images:
                return URLFetcherResponse(url, body=images[url], headers={"Content-Type": "image/svg+xml"})
            path = _static_file(url)
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})

    return StaticOnly(fail_on_errors=False)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on use: loading Pango costs the pages that never print

    page, images = lift_svgs(html)
    return HTML(string=page, base_url=BASE_URL, url_fetcher=_fetcher(images)).write_pdf()
