"""Per-accelerator colours: a tiny stylesheet that re-colours the UAE Design System.

The aegov Tailwind plugin drives every "brand" colour (buttons, links, focus of inputs,
badges, the header bar, progress bars) from the CSS variables ``--color-primary`` and
``--color-primary-50`` ... ``--color-primary-950``, declared at zero specificity
(``:where(:root)``) inside a cascade layer. An unlayered ``:root`` rule in a stylesheet
linked after ``build/app.css`` therefore overrides them. base.html links
``{% url 'theme_css' theme_accelerator.slug %}`` when a view sets ``theme_accelerator``.

A stylesheet rather than an inline ``style`` attribute, because the Content-Security-Policy
forbids ``'unsafe-inline'``.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from members.policy import PUBLIC_PAGE, access

HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")

# Share of white (lighter steps) or black (darker steps) mixed into the accelerator's colour,
# which becomes step 600: the step aegov uses for button backgrounds and link text.
LIGHTER = {50: 0.95, 100: 0.88, 200: 0.74, 300: 0.56, 400: 0.36, 500: 0.18}
DARKER = {700: 0.18, 800: 0.34, 900: 0.48, 950: 0.64}
SHADES = (50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950)

# White text on step 600 (buttons) and step-600 text on white (links) must pass WCAG AA.
MIN_CONTRAST_WITH_WHITE = 4.5

RGB = tuple[float, float, float]


def parse_hex(value: str) -> RGB | None:
    """'#1f6f8b' (or '1f6f8b', '#1f8') as 0..255 floats; None if it is not a hex colour."""
    match = HEX_COLOUR.match((value or "").strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (float(int(digits[0:2], 16)), float(int(digits[2:4], 16)), float(int(digits[4:6], 16)))


def to_hex(rgb: RGB) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def mix(rgb: RGB, other: RGB, share: float) -> RGB:
    """``share`` of ``other`` mixed into ``rgb`` (plain sRGB interpolation)."""
    return tuple(c + (o - c) * share for c, o in zip(rgb, other, strict=True))  # type: ignore[return-value]


def relative_luminance(rgb: RGB) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


WHITE: RGB = (255.0, 255.0, 255.0)
BLACK: RGB = (0.0, 0.0, 0.0)


def accessible_base(rgb: RGB) -> RGB:
    """The colour itself, or the least darkened version of it that passes AA against white."""
    base = rgb
    step = 0
    while contrast_ratio(base, WHITE) < MIN_CONTRAST_WITH_WHITE and step < 100:
        step += 1
        base = mix(rgb, BLACK, step / 100)
    return base


def palette(colour: str) -> dict[int, str] | None:
    """Shades 50..950 (hex) derived from one colour, or None if ``colour`` is not a hex colour."""
    rgb = parse_hex(colour)
    if rgb is None:
        return None
    base = accessible_base(rgb)
    shades: dict[int, str] = {600: to_hex(base)}
    for shade, share in LIGHTER.items():
        shades[shade] = to_hex(mix(base, WHITE, share))
    for shade, share in DARKER.items():
        shades[shade] = to_hex(mix(base, BLACK, share))
    return {shade: shades[shade] for shade in SHADES}


def palette_css(colour: str) -> str:
    """The stylesheet body: ``:root`` overrides of aegov's primary palette variables."""
    shades = palette(colour)
    if shades is None:
        # A malformed value never reaches the CSS; the design system's own colours stay.
        return "/* no valid accelerator colour: design system defaults apply */\n"
    lines = [":root {", f"  --color-primary: {shades[600]};"]
    lines += [f"  --color-primary-{shade}: {value};" for shade, value in shades.items()]
    lines.append("}")
    return "\n".join(lines) + "\n"


@access(PUBLIC_PAGE)
def theme_css(request: HttpRequest, slug: str) -> HttpResponse:
    from cohorts.models import Accelerator

    colour = Accelerator.objects.filter(slug=slug).values_list("primary_colour", flat=True).first()
    if colour is None:
        raise Http404("No such accelerator.")
    response = HttpResponse(palette_css(colour), content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=300)
    return response
