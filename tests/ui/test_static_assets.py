"""The built stylesheet (scripts/build_css.sh) is self-contained: no request ever leaves the site.

No database needed. Without a build the CSS checks skip locally and fail in CI (CI=...).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from accelerators.theme import WHITE, contrast_ratio, palette, palette_css, parse_hex

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "static" / "build"
APP_CSS = BUILD / "app.css"

# url("..."), url('...') or url(...); quoted data: URIs may contain parentheses.
URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)""")


def urls(css: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None).strip() for m in URL.finditer(css)]


@pytest.fixture(scope="module")
def css() -> str:
    if not APP_CSS.is_file():
        message = f"{APP_CSS.relative_to(ROOT)} is missing: run scripts/build_css.sh first"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return APP_CSS.read_text(encoding="utf-8")


def test_no_remote_urls(css):
    for needle in ("http://", "https://", "//fonts."):
        assert needle not in css, f"{needle!r} found in the built CSS"
    assert "@import" not in css
    for url in urls(css):
        assert url.startswith("data:") or not re.match(r"^([a-z][a-z0-9+.-]*:|//|/)", url, re.I), url


def test_font_files_exist(css):
    fonts = {url for url in urls(css) if not url.startswith("data:")}
    assert fonts, "no self-hosted fonts referenced"
    for url in fonts:
        assert url.startswith("fonts/"), url
        assert (BUILD / url).is_file(), f"{url} is referenced but not in {BUILD.relative_to(ROOT)}"
    families = set(re.findall(r"@font-face\{font-family:([^;]+);", css))
    assert {"Roboto", "Noto Kufi Arabic"} <= {f.strip().strip("\"'") for f in families}, families


def test_custom_components_are_built(css):
    for selector in (
        ".data-table",
        ".progress-bar",
        ".progress-expected",
        ".pct-0{",
        ".pct-100{",
        ".status-on_track",
        ".status-at_risk",
        ".status-off_track",
        ".status-achieved",
        ".status-sustained",
        ".status-slipping",
        ".status-not_started",
        ".status-withdrawn",
        ".aegov-btn",
        ".skip-link",
    ):
        assert selector in css, selector
    # Primary colours stay variables, so /theme/<slug>.css can re-colour them.
    assert "var(--color-primary-600)" in css


def test_axe_core_is_installed():
    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.is_file():
        if os.environ.get("CI"):
            pytest.fail("node_modules/axe-core/axe.min.js is missing: run scripts/build_css.sh")
        pytest.skip("node_modules is missing: run scripts/build_css.sh")


@pytest.mark.parametrize("colour", ["#1f6f8b", "#92722a", "#ffd700", "#ffffff", "#000000", "#e11d48", "#0a0"])
def test_theme_palette_is_ordered_and_accessible(colour):
    shades = palette(colour)
    assert list(shades) == [50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950]
    rgb = {k: parse_hex(v) for k, v in shades.items()}
    # White text on buttons (600) and links in 600 on white pass WCAG AA.
    assert contrast_ratio(rgb[600], WHITE) >= 4.5
    # Badges: 700 text on a 50 background.
    assert contrast_ratio(rgb[700], rgb[50]) >= 4.5
    luminance = [sum(rgb[k]) for k in shades]
    assert luminance == sorted(luminance, reverse=True)


def test_theme_css_keeps_garbage_out():
    assert "--color-primary-600: #1f6f8b;" in palette_css("#1f6f8b")
    for bad in ("", "red", "#12345", "#1f6f8b;} body{display:none", "</style>"):
        assert "--color-primary" not in palette_css(bad)
