"""HTML, script and formula payloads in every text field come out inert on every page, e-mail and export.

Every free-text column of every model in the project's apps (titles, goal statements, check-in
text, blocker descriptions, names, messages...) is overwritten with a payload, found generically
so new models and fields join in; then every page each role may open is read, the e-mails the
jobs send are rendered, and the dashboards' CSV/XLSX exports are opened.
"""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models

from challenges import clock
from challenges.models import Notification, PhaseTransition
from members.policy import OK, ROLES
from tests.factories import BlockerFactory, CheckInFactory
from tests.hardening.forms import path_for, walk_patterns

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FULL = f"=cmd|{SCRIPT}{IMG}"  # also a spreadsheet formula
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")
SKIPPED_NAMES = {"password", "email", "slug", "token"}
HARMLESS_VALIDATORS = (MaxLengthValidator, ProhibitNullCharactersValidator)


def poisonable_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not f.choices
        and f.name not in SKIPPED_NAMES
        and not f.primary_key
        and all(isinstance(v, HARMLESS_VALIDATORS) for v in f.validators)
    ]


def poison_everything() -> int:
    """Overwrite every free-text value with a payload (unique per row, within each column's length)."""
    poisoned = 0
    for app_label in ("cohorts", "challenges"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label.split(".")[1].startswith("Historical"):
                continue
            fields = poisonable_fields(model)
            if not fields:
                continue
            for pk in model._default_manager.values_list("pk", flat=True):
                changes = {}
                for f in fields:
                    for payload in (FULL, IMG, "<b>x</b>"):
                        value = f"{payload} {pk}"
                        if f.max_length is None or len(value) <= f.max_length:
                            changes[f.name] = value
                            break
                model._default_manager.filter(pk=pk).update(**changes)
                poisoned += len(changes)
    return poisoned


@pytest.fixture
def poisoned_world(db, standard_world):
    world = standard_world
    lead = world.people["team_lead"]
    CheckInFactory(challenge=world.challenge, author=lead, period=1)
    BlockerFactory(challenge=world.challenge)
    Notification.objects.create(user=lead, challenge=world.challenge, message="hello")
    clock.clock_tick(now=datetime.combine(date(2026, 3, 1) + timedelta(days=20), time(6), tzinfo=UTC))
    # Resolve every URL kwarg now: some create their object on first use, and it must be poisoned too.
    paths = {
        role: [
            path_for(pattern, name, world)
            for _r, pattern, policy, name in walk_patterns()
            if policy.expected("GET", role) == OK
        ]
        for role in ROLES
    }
    assert poison_everything() > 20
    return world, paths


def check_csv(body: bytes, path: str) -> None:
    text = body.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"{path}: formula cell {cell[:40]!r}"


def check_xlsx(body: bytes, path: str) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path}: formula in {sheet.title}!{cell.coordinate}"


@pytest.mark.django_db
def test_every_page_and_export_renders_payloads_inert(client, poisoned_world):
    world, paths = poisoned_world
    seen_escaped = exports = 0
    for role in ROLES:
        client.logout()
        if world.people[role] is not None:
            client.force_login(world.people[role])
        for path in paths[role]:
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            content_type = response["Content-Type"]
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if content_type.startswith("text/html"):
                page = body.decode()
                for marker in RAW_MARKERS:
                    assert marker not in page, f"{path} as {role}: raw {marker!r}"
                seen_escaped += "&lt;script&gt;alert(1)" in page
            elif "csv" in content_type:
                check_csv(body, path)
                exports += 1
            elif "spreadsheetml" in content_type:
                check_xlsx(body, path)
                exports += 1
    assert seen_escaped > 5, "the payloads should be on the pages, escaped"
    print(f"pages with escaped payloads: {seen_escaped}, exports checked: {exports}")


@pytest.mark.django_db
def test_every_email_renders_payloads_inert(poisoned_world):
    from challenges import tasks

    mail.outbox = []
    tasks.notify_phase_changes([list(pair) for pair in PhaseTransition.objects.values_list("challenge_id", "to_phase")])
    if hasattr(tasks, "send_notification_emails"):
        tasks.send_notification_emails(list(Notification.objects.values_list("pk", flat=True)))
    assert mail.outbox, "the jobs sent no e-mail"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                for marker in RAW_MARKERS:
                    assert marker not in content
        # Plain text is not HTML: it must carry what people typed, not entity-mangled text.
        assert "&lt;script&gt;" not in message.body, message.body[:300]
