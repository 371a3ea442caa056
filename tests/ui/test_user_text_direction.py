"""Every piece of text a person typed sits in an element that takes its own direction (issue 14, point 6).

Latin or Cyrillic typed into an Arabic page, or Arabic into an English one, is reordered by the
page's direction unless its element says ``dir="auto"`` or is a ``<bdi>``: "3-guruh — 2027" read as
"guruh — 2027 kuz-3". This renders every page (the pages the accessibility test walks, as the same
roles) in Arabic and English over a world whose names, titles, units and notes mix Latin, Cyrillic
and Arabic, parses the HTML, and checks that each of those strings, wherever it appears as text
(or as the value of a form field), has an ancestor with ``dir="auto"`` or is inside a ``<bdi>``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from members.models import Membership
from tests.access_world import URL_KWARGS, build_world
from tests.browser.test_accessibility import PAGES, TRAVEL_TO
from tests.factories import BlockerFactory, CheckInFactory

# What people typed, mixing scripts the way real records do (each long enough to be unmistakable).
TYPED = {
    "accelerator": "Tezkor Akselerator — المسرع",
    "cohort": "3-guruh — 2027 kuz الدفعة",
    "title": "Navbatni qisqartirish — сократить انتظار",
    "other_title": "Soliq xizmati — солиқ خدمة",
    "entity": "Adliya vazirligi — وزارة العدل",
    "metric": "Kutish vaqti — время ожидания",
    "unit": "daqiqa/دقيقة",
    "goal": "Navbat 40 daqiqadan 20 ga — تقليل الانتظار",
    "done": "Ikkinchi darcha ochildi — فتح شباك ثان",
    "next": "Open the third counter — فتح الشباك الثالث",
    "blocker": "Нет сервера — لا يوجد خادم",
    "person": "Nodira Нодира نادرة",
}
# Elements whose text is not laid out as part of the page (or that cannot hold a <bdi>).
NOT_LAID_OUT = {"title", "script", "style", "option", "desc", "text"}
LANGUAGES = ("ar", "en")


def mixed_world():
    world = build_world()
    challenge = world.challenge
    world.accelerator.name = TYPED["accelerator"]
    world.accelerator.save(update_fields=["name"])
    world.cohort.name = TYPED["cohort"]
    world.cohort.save(update_fields=["name"])
    challenge.lead_entity.name = TYPED["entity"]
    challenge.lead_entity.save(update_fields=["name"])
    for field, value in [("title", TYPED["title"]), ("metric", TYPED["metric"]), ("unit", TYPED["unit"])]:
        setattr(challenge, field, value)
    challenge.goal_statement = TYPED["goal"]
    challenge.save()
    world.other_challenge.title = TYPED["other_title"]
    world.other_challenge.save(update_fields=["title"])
    for person in world.people.values():
        if person is not None:
            person.full_name = TYPED["person"]
            person.save(update_fields=["full_name"])
    lead = challenge.memberships.get(role=Membership.Role.TEAM_LEAD).user
    for period in (1, 2):
        CheckInFactory(
            challenge=challenge,
            author=lead,
            period=period,
            reported_on=date(2026, 3, 1 + 7 * period),
            value=Decimal("35.5"),
            done=TYPED["done"],
            next_steps=TYPED["next"],
        )
    BlockerFactory(challenge=challenge, raised_by=lead, description=TYPED["blocker"])
    return world


class _Directions(HTMLParser):
    """Collects (text, isolated?) for every text node and form value, and the path to it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, isolates its content)
        self.found: list[tuple[str, bool, str]] = []

    def _isolated(self) -> bool:
        return any(isolates for _tag, isolates in self.stack)

    def _path(self) -> str:
        return " > ".join(tag for tag, _i in self.stack[-4:])

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # dir="ltr"/"rtl" counts too: the report templates compute it from the text's own first strong
        # letter (core.templatetags.text_direction), as dir="auto" does, because WeasyPrint ignores "auto".
        isolates = tag == "bdi" or attributes.get("dir") in ("auto", "ltr", "rtl")
        if tag == "input" and attributes.get("value") and attributes.get("type") not in ("hidden", "submit"):
            self.found.append((attributes["value"], isolates or self._isolated(), f"{self._path()} > input"))
        if tag not in self.VOID:
            self.stack.append((tag, isolates))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not data.strip() or any(tag in NOT_LAID_OUT for tag, _i in self.stack):
            return
        self.found.append((" ".join(data.split()), self._isolated(), self._path()))


def unisolated(html: str) -> list[str]:
    parser = _Directions()
    parser.feed(html)
    problems = []
    for text, isolated, path in parser.found:
        typed = [name for name, value in TYPED.items() if value in text]
        if typed and not isolated:
            problems.append(f"{typed[0]} in {path}: {text[:90]!r}")
    return problems


@pytest.mark.django_db
def test_the_world_puts_every_typed_string_on_some_page(client):
    """The check below means something only if the strings are on the pages at all."""
    with time_machine.travel(TRAVEL_TO, tick=False):
        world = mixed_world()
        client.force_login(world.people["team_lead"])
        body = client.get(reverse("challenge_detail", args=[world.challenge.pk])).content.decode()
    for name in ("cohort", "title", "entity", "metric", "unit", "goal", "done", "next", "blocker", "person"):
        assert TYPED[name] in body, name


@pytest.fixture(scope="module")
def _mixed_world_of_the_module(django_db_setup, django_db_blocker):
    """The mixed world, built once per test module in a test process: kept in a transaction rolled
    back after the module; each test runs in a savepoint inside it (pytest-django's ``db``)."""
    with django_db_blocker.unblock(), transaction.atomic(), time_machine.travel(TRAVEL_TO, tick=False):
        yield mixed_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_mixed_world_of_the_module, db):
    return _mixed_world_of_the_module


@pytest.mark.parametrize("target", PAGES, ids=[p.name for p in PAGES])
def test_typed_text_takes_its_own_direction_on_every_page(client, world, target):
    with time_machine.travel(TRAVEL_TO, tick=False):
        path = reverse(target.name, kwargs={name: URL_KWARGS[name](world) for name in target.converters})
        if world.people[target.role] is not None:
            client.force_login(world.people[target.role])
        problems = []
        for language in LANGUAGES:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(path)
            if "text/html" not in response.get("Content-Type", ""):
                pytest.skip(f"{path} is not an HTML page")
            problems += [f"{language} {path}: {p}" for p in unisolated(response.content.decode())]
    assert problems == [], "\n" + "\n".join(problems)


def test_the_parser_tells_isolated_text_from_text_that_is_not():
    html = (
        f'<p>Cohort <bdi>{TYPED["cohort"]}</bdi></p><h1 dir="auto">{TYPED["title"]}</h1>'
        f'<p>by {TYPED["person"]}</p><input value="{TYPED["unit"]}"><input dir="auto" value="{TYPED["metric"]}">'
        f"<title>{TYPED['title']}</title>"
    )
    problems = unisolated(html)
    assert len(problems) == 2
    assert problems[0].startswith("person") and problems[1].startswith("unit")
