"""Every page, in English and Arabic, in Debian's Chromium: WCAG 2.2 AA by axe-core and by hand.

The pages are found the way the access matrix finds them: walk the URL resolver, fill each URL's
kwargs from the standard world (tests/access_world.py), and sign in as a role the page's policy
lets in (a program admin, a team lead or an official before anyone else; never a superuser when
another role will do). On each page, in ``en`` and ``ar``:

- axe-core (node_modules/axe-core, injected into the page) with the WCAG 2.0/2.1/2.2 A and AA
  rules: no serious or critical violation;
- ``<html lang dir>`` match the language; one ``<main>``; one ``<h1>``; headings never skip a level;
- no horizontal scroll at 375 px wide, nor at 640 px (a 1280 px window zoomed to 200%);
- with ``SCREENSHOTS=1`` (``make screenshots``), a full-page screenshot in
  test-artifacts/screenshots/<lang>/<page>.png (git-ignored), and a 375 px one (<page>-375.png) of
  the main pages, which are also checked in ``uz`` and ``ru``.

The Content-Security-Policy forbids inline scripts, so the browser context bypasses CSP to let
axe in; the pages themselves are unchanged.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from challenges.clock import clock_tick
from members.models import Membership
from members.policy import OK
from tests.access_world import URL_KWARGS, build_world
from tests.browser import screenshots
from tests.browser.axe import run_axe
from tests.factories import BlockerFactory, CheckInFactory

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "ar")
OTHER_LANGUAGES = ("uz", "ru")
DESKTOP = {"width": 1280, "height": 900}
PHONE_WIDTH = 375
ZOOM_200_WIDTH = 640  # what a 1280 px window offers a page zoomed to 200%

# Signed-in roles first (they see the most of every page), the superuser only as a last resort.
ROLE_PREFERENCE = [
    "admin",
    "team_lead",
    "official_in_scope",
    "coach",
    "sponsor",
    "member",
    "anonymous",
    "superuser",
]
SKIPPED_NAMESPACES = {"admin"}  # Django's own admin: not our templates
NOT_PAGES = {"healthz", "readyz", "theme_css", "set_language", "logout"}  # JSON, CSS, POST-only actions
NOT_PAGE_SUFFIXES = (".css", ".csv", ".xlsx", ".pdf", ".json", ".txt", ".xml")
NOT_PAGE_PREFIXES = ("api/",)  # the API's JSON
# Screenshots are taken of every page; these also get a phone-width one.
MAIN_PAGES = {
    "home",
    "login",
    "my_challenges",
    "challenge_detail",
    "dashboard_index",
    "accelerator_overview",
    "cohort_board",
    "manage_index",
    "manage_home",
    "manage_cohort",
}
TRAVEL_TO = datetime(2026, 4, 15, 6, 0, tzinfo=UTC)  # Day 45 of the world's cohort (launched 1 March)


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), entry, name


@dataclass(frozen=True)
class Page:
    route: str
    name: str
    role: str
    converters: tuple[str, ...]


def pages() -> list[Page]:
    found = []
    for route, pattern, name in walk(get_resolver().url_patterns):
        policy = getattr(pattern.callback, "access_policy", None)
        if policy is None or not name or name in NOT_PAGES:
            continue
        if route.startswith(NOT_PAGE_PREFIXES) or route.endswith(NOT_PAGE_SUFFIXES):
            continue
        role = next((r for r in ROLE_PREFERENCE if policy.expected("GET", r) == OK), None)
        if role is not None:
            found.append(Page(route, name, role, tuple(pattern.pattern.converters)))
    return found


PAGES = pages()


def enrich(world) -> None:
    """Give the world's challenge a history, so charts, tables and blockers are on its pages."""
    lead = world.challenge.memberships.get(role=Membership.Role.TEAM_LEAD).user
    for period, value in enumerate(["38", "35", "33", "30", "29", "27"], start=1):
        CheckInFactory(
            challenge=world.challenge,
            author=lead,
            period=period,
            reported_on=date(2026, 3, 1 + 7 * period) if period < 5 else date(2026, 4, 7 * (period - 4)),
            value=Decimal(value),
            next_steps="Open the second counter",
        )
    BlockerFactory(challenge=world.challenge, raised_by=lead)
    clock_tick(now=TRAVEL_TO, notify=False)


def sign_in(context, live_server, user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def describe_violations(violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary[:300]}")
    return lines


STRUCTURE = """() => {
    const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(visible);
    return {
        lang: document.documentElement.lang,
        dir: document.documentElement.dir,
        mains: document.querySelectorAll("main").length,
        h1: headings.filter(h => h.tagName === "H1").map(h => h.textContent.trim()),
        levels: headings.map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)]),
    };
}"""

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")].filter(el => {
        const r = el.getBoundingClientRect();
        return (r.right > width + 1 || r.left < -1) && getComputedStyle(el).position !== "fixed"
            && !el.closest("[class*=overflow-x], .sr-only, .skip-link, [hidden]");
    }).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
    return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""


def structure_problems(page, language: str) -> list[str]:
    found = page.evaluate(STRUCTURE)
    problems = []
    expected_dir = "rtl" if language == "ar" else "ltr"
    if (found["lang"], found["dir"]) != (language, expected_dir):
        problems.append(f"<html lang={found['lang']!r} dir={found['dir']!r}>, expected {language}/{expected_dir}")
    if found["mains"] != 1:
        problems.append(f"{found['mains']} <main> elements")
    if len(found["h1"]) != 1:
        problems.append(f"{len(found['h1'])} visible <h1> ({found['h1']})")
    previous = 0
    for level, text in found["levels"]:
        if level > previous + 1:
            problems.append(f"heading skips from h{previous} to h{level} ({text!r})")
        previous = level
    return problems


def overflow_problems(page, width: int) -> list[str]:
    page.set_viewport_size({"width": width, "height": 800})
    found = page.evaluate(OVERFLOW)
    page.set_viewport_size(DESKTOP)
    if found["scrollWidth"] > width + 1:
        return [f"scrolls sideways at {width} px (content {found['scrollWidth']} px wide; e.g. {found['wide']})"]
    return []


def new_a11y_context(browser):
    """A desktop-sized profile that lets axe in past the Content-Security-Policy."""
    return browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="en-GB")


@pytest.fixture
def a11y_context(browser):
    context = new_a11y_context(browser)
    yield context
    context.close()


def screenshot(page, language: str, name: str, suffix: str = "") -> None:
    screenshots.save(page, ROOT / "test-artifacts" / "screenshots" / language / f"{name.replace(':', '-')}{suffix}.png")


def phone_screenshot(page, language: str, name: str) -> None:
    if not screenshots.TAKEN:
        return
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    screenshot(page, language, name, "-375")
    page.set_viewport_size(DESKTOP)


def test_it_finds_the_main_pages():
    names = {p.name for p in PAGES}
    assert {"home", "login"} <= names
    assert all(p.role != "superuser" for p in PAGES if p.name in MAIN_PAGES)


# The pages are checked in a few groups, each against one world: building and enriching the world
# and emptying the database after it cost about as much as checking a page, so a test per page spent
# half its time on them. Each group signs in each role it needs once.
GROUPS = 4


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", range(GROUPS), ids=[f"pages-{g + 1}-of-{GROUPS}" for g in range(GROUPS)])
def test_every_page_is_accessible_in_both_directions(live_server, browser, group):
    targets = PAGES[group::GROUPS]
    problems: list[str] = []
    contexts = {}
    with time_machine.travel(TRAVEL_TO, tick=True):
        world = build_world()
        enrich(world)
        for target in targets:
            path = reverse(target.name, kwargs={name: URL_KWARGS[name](world) for name in target.converters})
            if target.role not in contexts:
                context = new_a11y_context(browser)
                if world.people[target.role] is not None:
                    sign_in(context, live_server, world.people[target.role])
                contexts[target.role] = (context, context.new_page())
            context, page = contexts[target.role]
            problems += page_problems(context, page, live_server.url, path, target)
        for context, _page in contexts.values():
            context.close()
    assert problems == [], "\n" + "\n".join(problems)


def page_problems(context, page, base: str, path: str, target: Page) -> list[str]:
    """The page in en and ar (the main pages also in uz and ru, for their longer words): its
    structure, no sideways scroll at 375 and 640 px, and axe in the two directions."""
    problems = []
    languages = LANGUAGES + (OTHER_LANGUAGES if target.name in MAIN_PAGES else ())
    for language in languages:
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
        response = page.goto(base + path, wait_until="load")
        prefix = f"{language} {path} ({target.name}) as {target.role}:"
        if response is None or response.status != 200:
            problems.append(f"{prefix} HTTP {response.status if response else 'no response'}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            problems.append(f"{prefix} not an HTML page ({response.headers.get('content-type')}): add it to NOT_PAGES")
            continue
        screenshot(page, language, target.name)
        if target.name in MAIN_PAGES:
            phone_screenshot(page, language, target.name)
        problems += [f"{prefix} {p}" for p in structure_problems(page, language)]
        problems += [f"{prefix} {p}" for p in overflow_problems(page, PHONE_WIDTH)]
        problems += [f"{prefix} {p}" for p in overflow_problems(page, ZOOM_200_WIDTH)]
        if language in LANGUAGES:
            problems += [f"{prefix} {line}" for line in describe_violations(run_axe(page))]
    return problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_keyboard_reaches_a_visible_skip_link_first(live_server, a11y_context, language):
    a11y_context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = a11y_context.new_page()
    page.goto(live_server.url + reverse("home"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
            return {href: el.getAttribute("href"), outline: s.outlineStyle, outlineWidth: s.outlineWidth,
                    shadow: s.boxShadow, visible: r.width > 1 && r.height > 1 && r.top >= 0};
        }"""
    )
    assert focused["href"] == "#main"
    assert focused["visible"], "the skip link shows itself when focused"
    assert focused["outline"] != "none" or focused["shadow"] != "none", json.dumps(focused)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_control_on_the_login_page_shows_its_focus(live_server, a11y_context, language):
    a11y_context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = a11y_context.new_page()
    page.goto(live_server.url + reverse("login"))
    invisible = []
    for _ in range(12):
        page.keyboard.press("Tab")
        found = page.evaluate(
            """() => {
                const el = document.activeElement, s = getComputedStyle(el);
                return {tag: el.tagName, name: el.name || el.id || el.textContent.trim().slice(0, 30),
                        outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
                        shadow: s.boxShadow !== "none"};
            }"""
        )
        if found["tag"] == "BODY":
            break
        if not (found["outline"] or found["shadow"]):
            invisible.append(f"{found['tag']} {found['name']}")
    assert invisible == [], "these controls show no focus indicator"


# --- Every page with real data, on a phone and a desktop, in all four languages -------------------------
# The world above is tidy: one short cohort. What found the sideways scroll at 375 px was `make run`'s
# demo data and a large cohort, so this walks those: every page a program admin can reach by following
# links from the home page (each cohort board and overview, one of everything else), at 375 px and
# 1280 px in all four languages, with axe on each in English and Arabic. One live server and
# one browser serve the whole walk; the walk is found once per dataset, and axe's script is read once.
# The demo data is walked whole; of the large generated cohorts, the pages whose content grows with
# the data (the forms and settings pages lay out the same for any number of challenges, and the
# demo walk and the page groups above check them).

PHONE = {"width": PHONE_WIDTH, "height": 800}
WIDTHS = (PHONE, DESKTOP)
WALK_LANGUAGES = LANGUAGES + OTHER_LANGUAGES
MIN_CHART_TEXT_PX = 12
# The dashboards' charts and the challenge page's chart: their labels at 12 px or more on a phone.
CHART_TEXT = (
    '[aria-labelledby^="progress-chart-title"] text, [aria-labelledby^="results-chart-title"] text, '
    "#progress-chart text"
)
EVERY_ONE = {"cohort_board", "accelerator_overview"}  # every one of these; of other pages, the first
FEW = 1
NOT_WALKED = ("/admin/", "/accounts/logout", "/i18n/", "/static/", "/theme/", "/healthz", "/readyz")

# Beyond the viewport and not clipped by a scroll box it belongs to. "Belongs to" follows the
# containing blocks, not the DOM: an absolutely positioned element (a visually hidden label) is
# clipped only by a scroll box that is positioned itself, which is how the board's labels escaped.
ESCAPES = """(width) => {
    const clipped = el => {
        let node = el;
        while (node && node !== document.body && node !== document.documentElement) {
            const position = getComputedStyle(node).position;
            if (position === "fixed") return true;
            let up = node.parentElement;
            if (position === "absolute") {
                while (up && up !== document.body && getComputedStyle(up).position === "static") up = up.parentElement;
            }
            if (!up || up === document.body || up === document.documentElement) return false;
            const s = getComputedStyle(up), r = up.getBoundingClientRect();
            if (s.overflowX !== "visible" && r.left >= -1 && r.right <= width + 1) return true;
            node = up;
        }
        return false;
    };
    const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (typeof el.className === "string" && el.className.trim()
            ? "." + el.className.trim().split(/\\s+/).join(".") : "")
        + " " + JSON.stringify((el.textContent || "").trim().slice(0, 30));
    const escaping = [...document.querySelectorAll("body *")].filter(el => {
        const r = el.getBoundingClientRect();
        if (!r.width && !r.height) return false;
        return (r.right > width + 1 || r.left < -1) && !clipped(el);
    });
    const small = [...document.querySelectorAll(CHARTS)].filter(t => t.getClientRects().length).map(t => {
        const m = t.getScreenCTM(), size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
        return [Math.round(size * 10) / 10, t.textContent.trim()];
    }).filter(([size]) => size < MIN_PX - 0.05);
    return {scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
            escaping: escaping.length, examples: escaping.slice(0, 3).map(name), small: small.slice(0, 3)};
}""".replace("MIN_PX", str(MIN_CHART_TEXT_PX)).replace("CHARTS", json.dumps(CHART_TEXT))


def demo_dataset():
    from tooling.demo import DEMO_USERS, load_demo

    load_demo(today=TRAVEL_TO.date())
    from cohorts.models import User

    return User.objects.get(email=DEMO_USERS["admin"][0])


def generated_dataset():
    from tests.factories import UserFactory
    from tooling.generator import generate

    generate(
        accelerators=1,
        cohorts=3,
        challenges_per_cohort=60,  # 8 to 12 is a real cohort; 60 shows what a large one does to a page
        checkins_per_challenge=8,
        people=60,
        seed=14,
        today=TRAVEL_TO.date(),
    )
    return UserFactory(is_superuser=True, is_staff=True)


GROWS_WITH_DATA = {
    "home",
    "dashboard_index",
    "manage_index",
    "notifications",
    "accelerator_overview",
    "manage_home",
    "accelerator_report",
    "cohort_board",
    "accelerator_history",
    "manage_candidates",
    "manage_cohort",
    "cohort_briefing",
    "cohort_report",
    "challenge_detail",
    "cohort_history",
    "manage_challenge",
    "challenge_history",
    "journey",
}
WALKED = {"demo": None, "generated": GROWS_WITH_DATA}  # URL names checked, None for every page found


def walk_links(page, base: str) -> list[str]:
    """The pages reachable by links from the home page: paths only, a few per URL name."""
    from django.urls import Resolver404, resolve

    seen, taken, queue, found = set(), {}, ["/"], []
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            name = resolve(path).url_name
        except Resolver404:
            continue
        if taken.get(name, 0) >= FEW and name not in EVERY_ONE:
            continue
        response = page.goto(base + path, wait_until="domcontentloaded")
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        taken[name] = taken.get(name, 0) + 1
        found.append(path)
        links = page.evaluate(
            """() => [...document.querySelectorAll("a[href]:not([download])")]
                .map(a => new URL(a.href, location.href)).filter(u => u.origin === location.origin)
                .map(u => u.pathname)"""
        )
        queue += [link for link in links if not link.startswith(NOT_WALKED) and not link.endswith(NOT_PAGE_SUFFIXES)]
    return found


def layout_problems(page, width: int) -> list[str]:
    found = page.evaluate(ESCAPES, width)
    problems = []
    overflow = found["scrollWidth"] - found["clientWidth"]
    if overflow > 0 or found["escaping"]:
        problems.append(
            f"{overflow} px wider than the screen; {found['escaping']} elements outside it, e.g. {found['examples']}"
        )
    if width == PHONE_WIDTH and found["small"]:
        problems.append(f"chart text under {MIN_CHART_TEXT_PX} px: {found['small']}")
    return problems


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("dataset", [demo_dataset, generated_dataset], ids=["demo", "generated"])
def test_every_page_with_real_data_fits_and_passes_axe_on_a_phone_and_a_desktop(live_server, browser, dataset):
    started = time.monotonic()
    with time_machine.travel(TRAVEL_TO, tick=True):
        reader = dataset()
        context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
        sign_in(context, live_server, reader)
        page = context.new_page()
        page.set_default_timeout(30_000)
        paths = walk_links(page, live_server.url)
        assert len({p.split("/")[1] for p in paths}) >= 3, paths  # the walk reached beyond the home page
        assert any("/dashboards/cohorts/" in p for p in paths), paths
        assert any("/challenges/" in p for p in paths), paths
        problems = []
        label = dataset.__name__.split("_")[0]
        if WALKED[label] is not None:
            names = {resolve(path).url_name for path in paths}
            assert WALKED[label] <= names, f"the walk no longer reaches {WALKED[label] - names}"
            paths = [path for path in paths if resolve(path).url_name in WALKED[label]]
        for language in WALK_LANGUAGES:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
            # Layout in every language at both widths (Uzbek and Russian words are the longest);
            # axe at both widths in the two directions, not in the other two (their pages differ
            # from English only in the words, which layout checks); screenshots in English and Arabic.
            # Each page is loaded once per language, on the phone, then widened: the pages lay out
            # by CSS media queries, which a resized window applies as a new one does.
            full = language in LANGUAGES
            for index, path in enumerate(paths):
                page.set_viewport_size(PHONE)
                page.goto(live_server.url + path, wait_until="load")
                for viewport in WIDTHS:
                    if viewport is not PHONE:  # loaded on the phone already
                        page.set_viewport_size(viewport)
                    prefix = f"{language} {viewport['width']} px {path}:"
                    problems += [f"{prefix} {p}" for p in layout_problems(page, viewport["width"])]
                    if full:
                        violations = run_axe(page)
                        problems += [f"{prefix} {line}" for line in describe_violations(violations)]
                    if full and viewport is PHONE:
                        slug = path.strip("/").replace("/", "-") or "home"
                        screenshot(page, language, f"phone-{label}-{index:02d}-{slug}")
        context.close()
    minutes = (time.monotonic() - started) / 60
    print(
        f"\n{label}: {len(paths)} pages × {len(WALK_LANGUAGES)} languages × {len(WIDTHS)} widths in {minutes:.1f} min"
    )
    assert problems == [], f"\n{len(paths)} pages walked\n" + "\n".join(problems)
