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

Arabic words are not left in a chart's image: WeasyPrint draws SVG ``<text>`` one letter at a
time (``weasyprint/svg/text.py`` lays out each character alone), so Arabic came out unjoined and
in reverse. Each ``<text>`` that needs shaping (``_needs_shaping``) becomes a line of the page
instead, placed over the image where the SVG put it (``_Label``): Pango shapes it with the page's
fonts and direction, and the PDF's text layer reads it back in logical order. Numbers, Latin and
Cyrillic stay in the image, where they cost a third as much.
"""

from __future__ import annotations

import html as html_text
import mimetypes
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
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
_CIRCLE = re.compile(r"<circle\b([^>]*?)/?>(?:\s*</circle>)?")
_CIRCLES = re.compile(r"(?:<circle\b[^>]*?/?>(?:\s*</circle>)?\s*){2,}")
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
# How wide a lifted chart is printed (the report's PDF stylesheet lays the image out at this width).
CHART_WIDTH_MM = 120
# Where a label's baseline sits in a one-line box of ``line-height: 1`` (Noto Sans and Noto Naskh
# Arabic), as a share of the font size; a middle-anchored label is centred on its box instead.
_BASELINE = 0.85
# How wide, as a share of the chart, a label's box is (wider than any tick's words; the PDF
# stylesheet's ``.pdf-label`` says the same).
_LABEL_BOX = 0.3


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


PLACE = ("cx", "cy", "r", "id")  # where a dot is, and its name: not how it is painted


def _one_path(match: re.Match) -> str:
    """A run of dots painted alike (a chart's check-ins) as one ``<path>``: WeasyPrint draws a node
    in about the time it draws a circle, and a 300-challenge report has 14 dots a chart."""
    circles = [dict(_ATTRIBUTE.findall(attributes)) for attributes in _CIRCLE.findall(match.group(0))]
    where = [tuple(_number(circle.get(name)) for name in ("cx", "cy", "r")) for circle in circles]
    painted = lambda c: tuple(sorted((k, v) for k, v in c.items() if k not in PLACE and not k.startswith("data-")))  # noqa: E731
    paint = {painted(circle) for circle in circles}
    if len(paint) != 1 or any(value is None for point in where for value in point):
        return match.group(0)
    d = "".join(f"M{x - r:g} {y:g}a{r:g} {r:g} 0 1 0 {2 * r:g} 0a{r:g} {r:g} 0 1 0 {-2 * r:g} 0z" for x, y, r in where)
    attributes = "".join(f' {name}="{value}"' for name, value in next(iter(paint)))
    return f'<path d="{d}"{attributes}></path>'


def _needs_shaping(text: str) -> bool:
    """Whether WeasyPrint's SVG text, drawn one letter at a time, would draw ``text`` wrong: letters
    that join their neighbours or run right to left (Arabic), or marks that sit on a letter. Digits,
    Latin and Cyrillic come out right letter by letter, and there an SVG ``<text>`` costs a third of
    a line of the page (2,497 labels of a 300-challenge report: 1.7 s against 5 s)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") or unicodedata.combining(char) for char in text)


def _pct(value: float) -> str:
    return f"{value:.3f}%"


@dataclass(frozen=True)
class _Label:
    """One ``<text>`` of a chart, read from its attributes (user units of the chart's viewBox)."""

    x: float
    y: float
    size: float
    anchor: str
    middle: bool
    fill: str
    content: str

    @classmethod
    def read(cls, attributes: str, content: str) -> _Label | None:
        """None when its position is not a plain number: it then stays in the drawing."""
        attrs = dict(_ATTRIBUTE.findall(attributes))
        x, y, size = _number(attrs.get("x")), _number(attrs.get("y")), _number(attrs.get("font-size", "16"))
        if x is None or y is None or size is None:
            return None
        middle = attrs.get("dominant-baseline") in ("middle", "central")
        return cls(x, y, size, attrs.get("text-anchor", "start"), middle, attrs.get("fill", ""), content)

    def html(self, width: float, height: float, size: float, fill: str) -> str:
        """A line of the page over the chart's image (the chart's box is ``width`` × ``height``,
        its labels' usual ``size`` and ``fill`` set on it). Each label's box has a width of its own
        (``.pdf-label``), so WeasyPrint never measures its text to size it."""
        top = self.y - (self.size / 2 if self.middle else _BASELINE * self.size)
        style = [f"top:{_pct(100 * top / height)}"]
        if self.anchor == "end":
            style.append(f"right:{_pct(100 - 100 * self.x / width)}")
        elif self.anchor == "middle":
            style.append(f"left:{_pct(100 * self.x / width - 50 * _LABEL_BOX)}")
        else:
            style.append(f"left:{_pct(100 * self.x / width)}")
        if self.size != size:
            style.append(f"font-size:{self.size / size:.3f}em")
        if self.fill != fill:
            style.append(f"color:{self.fill}")
        # Numbers (a minus sign too) read left to right even on an Arabic page.
        direction = "rtl" if text_dir(html_text.unescape(self.content)) == "rtl" else "ltr"
        anchor = self.anchor if self.anchor in ("end", "middle") else "start"
        attributes = f'class="pdf-label pdf-label-{anchor}" dir="{direction}" style="{";".join(style)}"'
        return f"<span {attributes}>{self.content}</span>"


def _chart_box(labels: list[_Label], width: float, height: float) -> tuple[str, float, str]:
    """The lifted chart's box: its printed size, and its labels' usual font size and colour."""
    size = Counter(label.size for label in labels).most_common(1)[0][0] if labels else 16.0
    fill = Counter(label.fill for label in labels).most_common(1)[0][0] if labels else ""
    style = [f"width:{CHART_WIDTH_MM}mm", f"height:{CHART_WIDTH_MM * height / width:.3f}mm"]
    style.append(f"font-size:{size * CHART_WIDTH_MM / width:.3f}mm")
    if fill:
        style.append(f"color:{fill}")
    return ";".join(style), size, fill


def lift_svgs(html: str) -> tuple[str, dict[str, bytes]]:
    """Each ``<svg data-pdf-image>`` replaced by an ``<img>`` of it; returns the page and the images.

    The image is the same drawing as a document of its own: the SVG namespace, its size from its
    viewBox, no ``class`` (the pages' Tailwind classes mean nothing to an image; every colour is an
    attribute too), no ``<title>`` or ``<desc>`` (never drawn), its dots as one path, and no words
    that need shaping: those become lines of the page placed over the image (``_Label``).
    """
    images: dict[str, bytes] = {}

    def lift(match: re.Match) -> str:
        svg = _CLASS.sub("", match.group(0))
        size = _VIEWBOX.search(svg)
        width, height = (size.group(1), size.group(2)) if size else ("640", "280")
        labels: list[_Label] = []

        def take(text: re.Match) -> str:
            label = _Label.read(text.group(1), text.group(2)) if _needs_shaping(text.group(2)) else None
            if label is None:
                return text.group(0)
            labels.append(label)
            return ""

        svg = _CIRCLES.sub(_one_path, _NOT_DRAWN.sub("", _TEXT.sub(take, svg)))
        svg = svg.replace("<svg", f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}"', 1)
        url = f"{IMAGES_URL}{len(images)}.svg"
        images[url] = svg.encode()
        w, h = float(width), float(height)
        box, usual_size, usual_fill = _chart_box(labels, w, h)
        words = "".join(label.html(w, h, usual_size, usual_fill) for label in labels)
        return f'<div class="pdf-chart" style="{box}"><img src="{url}" alt="">{words}</div>'

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


_BARE_BDI = re.compile(r"<bdi>([^<]*)</bdi>")


def bdi_directions(html: str) -> str:
    """Each bare ``<bdi>`` given the direction its first strong letter gives (``text_dir``).

    A browser isolates a ``<bdi>`` with the direction of its own text; WeasyPrint isolates it but
    keeps the page's, so in an Arabic report the cohort "1-guruh (misol)" read "guruh (misol)-1"."""

    def directed(match: re.Match) -> str:
        direction = text_dir(html_text.unescape(match.group(1)))
        return match.group(0) if direction == "auto" else f'<bdi dir="{direction}">{match.group(1)}</bdi>'

    return _BARE_BDI.sub(directed, html)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on use: loading Pango costs the pages that never print

    page, images = lift_svgs(bdi_directions(html))
    return HTML(string=page, base_url=BASE_URL, url_fetcher=_fetcher(images)).write_pdf()
