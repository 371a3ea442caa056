"""Shared browser fixtures: Debian's Chromium (/usr/bin/chromium) driven by Playwright.

Never downloads a browser. Without /usr/bin/chromium the browser tests skip, unless
REQUIRE_BROWSER=1 (CI), when they fail. Playwright's sync API runs an event loop in this thread,
so Django's "async unsafe" guard is relaxed for these tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
