"""Shared browser fixtures: Debian's Chromium (/usr/bin/chromium) driven by Playwright.

Never downloads a browser. Without /usr/bin/chromium the browser tests skip, unless
REQUIRE_BROWSER=1 (CI), when they fail. Playwright's sync API runs an event loop in this thread,
so Django's "async unsafe" guard is relaxed for these tests.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.browser.axe import AXE, AXE_URL

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _static_files_cached_as_in_production():
    """The live server's static files with a Cache-Control lifetime, as WhiteNoise gives them in
    production (settings/production.py). Django's test handler sends none, so Chromium asked again
    for the stylesheet, the script and four fonts on every page load: six more requests per page,
    each one served in this process, for a few hundred page loads per walk. Dated by the real clock:
    under time_machine the server's Date would be months old, and so stale at once."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.http import FileResponse
    from django.utils.http import http_date
    from time_machine import escape_hatch

    serve = StaticFilesHandler.serve

    def serve_cacheable(self, request):
        if request.path == AXE_URL:
            response = FileResponse(AXE.open("rb"), content_type="text/javascript")
        else:
            response = serve(self, request)
        response.headers["Cache-Control"] = "max-age=3600"
        now = escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()
        response.headers["Date"] = http_date(now)
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StaticFilesHandler, "serve", serve_cacheable)
        yield


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Not for the whole session: Playwright's sync API marks its event
    loop as running in this thread while it is up, and code that runs a loop of its own, as it does
    in a Celery worker (``telegram_bot.client``), then fails in whatever test this process runs next
    ("Cannot run the event loop while another loop is running")."""
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-core)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (cookies, storage) per test; English unless the test says otherwise."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    page.close()


@pytest.fixture
def log_in(context, live_server):
    """``log_in(user)``: give the browser a real session for ``user`` (no login-form round trip)."""
    from django.conf import settings
    from django.test import Client

    def log_in(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return log_in


@pytest.fixture
def artifacts_dir() -> Path:
    """test-artifacts/ (git-ignored): screenshots go to test-artifacts/screenshots/<lang>/<page>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
