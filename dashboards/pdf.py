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

A chart's words are not left in its image: WeasyPrint draws SVG ``<text>`` one letter at a time
(``weasyprint/svg/text.py`` lays out each character alone), so Arabic came out unjoined and in
reverse, and every letter cost a Pango layout of its own. Each ``<text>`` becomes a line of the
page instead, placed over the image where the SVG put it (``_label``): Pango shapes it with the
page's fonts and direction, and the PDF's text layer reads it back in logical order.
"""

from __future__ import annotations

import html as html_text
import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from core.templatetags.text_direction import text_dir

# A base URL of our own that never resolves on a network: every relative URL lands under it.
BASE_URL = "https://report.invalid/"
# Where the charts lifted out of the page are served from (memory, for one PDF).
IMAGES_URL = BASE_URL + "pdf-images/"
SVG_NS = "http://www.w3.org/2000/svg"
_LIFTED_SVG = re.compile(r"<svg\b[^>]*\bdata-pdf-image\b[^>]*>.*?</svg>", re.S)
_VIEWBOX = re.compile(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"')
_CLASS = re.compile(r' class="[^"]*"')
_TEXT = re.compile(r"<text\b([^>]*)>([^<]*)</text>")
_NOT_DRAWN = re.compile(r"<(title|desc)\b[^>]*>.*?</\1>", re.S)
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
# How wide a lifted chart is printed (the report's PDF stylesheet lays the image out at this width).
CHART_WIDTH_MM = 120
# Where a label's baseline sits in a one-line box of ``line-height: 1`` (Noto Sans and Noto Naskh
# Arabic), as a share of the font size; a middle-anchored label is centred on its box instead.
_BASELINE = 0.85
# How wide, as a share of the chart, the box of a label centred on its x is (wider than any tick).
_CENTRED_BOX = 0.3


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


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _pct(value: float) -> str:
    return f"{value:.3f}%"


def _label(attributes: str, content: str, width: float, height: float) -> str | None:
    """A ``<text>`` of a chart as an absolutely placed line of the page over the chart's image, or
    None when its position is not a plain number (it then stays in the drawing)."""
    attrs = dict(_ATTRIBUTE.findall(attributes))
    x, y, size = _number(attrs.get("x")), _number(attrs.get("y")), _number(attrs.get("font-size", "16"))
    if x is None or y is None or size is None:
        return None
    top = y - size / 2 if attrs.get("dominant-baseline") in ("middle", "central") else y - _BASELINE * size
    style = [f"top:{_pct(100 * top / height)}", f"font-size:{size * CHART_WIDTH_MM / width:.3f}mm"]
    anchor = attrs.get("text-anchor", "start")
    if anchor == "end":
        style.append(f"right:{_pct(100 - 100 * x / width)}")
    elif anchor == "middle":
        style += [f"left:{_pct(100 * x / width - 50 * _CENTRED_BOX)}", f"width:{_pct(100 * _CENTRED_BOX)}"]
        style.append("text-align:center")
    else:
        style.append(f"left:{_pct(100 * x / width)}")
    if "fill" in attrs:
        style.append(f"color:{attrs['fill']}")
    # Numbers (a minus sign too) read left to right even on an Arabic page.
    direction = "rtl" if text_dir(html_text.unescape(content)) == "rtl" else "ltr"
    return f'<span class="pdf-label" dir="{direction}" style="{";".join(style)}">{content}</span>'


def lift_svgs(html: str) -> tuple[str, dict[str, bytes]]:
    """Each ``<svg data-pdf-image>`` replaced by an ``<img>`` of it; returns the page and the images.

    The image is the same drawing as a document of its own: the SVG namespace, its size from its
    viewBox, no ``class`` (the pages' Tailwind classes mean nothing to an image; every colour is an
    attribute too), and no words: its ``<text>`` elements become lines of the page placed over the
    image (``_label``), its ``<title>`` and ``<desc>`` (never drawn) are left out.
    """
    images: dict[str, bytes] = {}

    def lift(match: re.Match) -> str:
        svg = _CLASS.sub("", match.group(0))
        size = _VIEWBOX.search(svg)
        width, height = (size.group(1), size.group(2)) if size else ("640", "280")
        labels = []

        def take(text: re.Match) -> str:
            label = _label(text.group(1), text.group(2), float(width), float(height))
            if label is None:
                return text.group(0)
            labels.append(label)
            return ""

        svg = _NOT_DRAWN.sub("", _TEXT.sub(take, svg))
        svg = svg.replace("<svg", f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}"', 1)
        url = f"{IMAGES_URL}{len(images)}.svg"
        images[url] = svg.encode()
        box = f"width:{CHART_WIDTH_MM}mm;height:{CHART_WIDTH_MM * float(height) / float(width):.3f}mm"
        return f'<div class="pdf-chart" style="{box}"><img src="{url}" alt="">{"".join(labels)}</div>'

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
