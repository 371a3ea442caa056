"""The Dockerfile's collectstatic step, run here: production settings, a fresh STATIC_ROOT.

The manifest storage rewrites every url() in every collected CSS file to a hashed name and fails on
one it cannot resolve, so a source file that only makes sense to the CSS build (static/src/app.css
imports @fontsource packages from node_modules) must never be collected.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    if not (ROOT / "static" / "build" / "app.css").is_file():
        pytest.fail("static/build/app.css is missing: run `make assets` (scripts/build_css.sh) first")
    static_root = tmp_path_factory.mktemp("staticfiles")
    ignored = {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(
        DJANGO_SETTINGS_MODULE="accelerators.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        STATIC_ROOT=str(static_root),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root


def manifest(static_root: Path) -> dict[str, str]:
    return json.loads((static_root / "staticfiles.json").read_text())["paths"]


def test_it_collects_the_built_css_and_the_scripts_under_hashed_names(collected):
    paths = manifest(collected)
    for name in ("build/app.css", "js/dashboards.js"):
        assert name in paths, name
        hashed = collected / paths[name]
        assert hashed.is_file() and hashed != collected / name


def test_it_leaves_the_css_sources_out(collected):
    assert not [name for name in manifest(collected) if name.startswith("src/") or "@fontsource" in name]
    assert not (collected / "src").exists()


def test_it_points_the_css_at_hashed_fonts_that_exist(collected):
    paths = manifest(collected)
    css = (collected / paths["build/app.css"]).read_text()
    fonts = [name for name in paths if name.startswith("build/fonts/")]
    assert fonts
    for name in fonts:
        hashed = paths[name].removeprefix("build/")
        assert hashed in css or name.removeprefix("build/") not in css, name
    assert "fonts/roboto" in css and ".woff2" in css


def test_it_compresses_what_it_collects(collected):
    hashed_css = collected / manifest(collected)["build/app.css"]
    for suffix in (".gz", ".br"):
        assert hashed_css.with_name(hashed_css.name + suffix).is_file(), suffix
