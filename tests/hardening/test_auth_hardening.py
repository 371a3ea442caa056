"""Signing in is throttled, passwords are vetted, sessions end, and pages run under a strict CSP."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from members.policy import OK
from tests.access_world import URL_KWARGS, build_world
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password"


# --- Login throttling (django-axes) ----------------------------------------------------------------


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_it_locks_sign_in_after_the_failure_limit_with_a_translated_page(client):
    user = UserFactory(email="lead@example.org")
    login = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": user.email, "password": "wrong-password"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post(login, {"username": user.email, "password": "wrong-password"})
    assert response.status_code in (403, 429)
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert b"Too many failed sign-in attempts" in response.content

    # Even the right password is refused while locked, and nobody is signed in.
    response = client.post(login, {"username": user.email, "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, LANGUAGE_CODE="ar")
def test_it_renders_the_lockout_page_in_the_readers_language(client):
    user = UserFactory(email="reader@example.org")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": user.email, "password": "nope"})
    assert response.status_code in (403, 429)
    assert b'lang="ar"' in response.content and b'dir="rtl"' in response.content


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_it_does_not_lock_someone_who_signs_in_correctly(client):
    user = UserFactory(email="careful@example.org")
    client.post(reverse("login"), {"username": user.email, "password": "typo"})
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# --- Password validators ---------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["short1", "password123", "1234567890123", "lead@example.org"])
def test_it_refuses_weak_passwords(weak):
    user = UserFactory.build(email="lead@example.org", full_name="Lead Person")
    with pytest.raises(ValidationError):
        validate_password(weak, user)


def test_it_accepts_a_strong_password():
    validate_password("correct horse battery staple 42", UserFactory.build(email="lead@example.org"))


@pytest.mark.django_db
def test_it_refuses_a_weak_password_on_the_set_password_flow(client):
    """Django admin's password change is a real set-password form wired to the validators."""
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- Sessions --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_signs_out_other_sessions_when_the_password_changes():
    user = UserFactory(is_staff=True, is_superuser=True)
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        assert device.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302
    assert phone.get(reverse("notifications")).status_code == 200

    new_password = "a brand-new long passphrase 7"
    response = laptop.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert laptop.get(reverse("notifications")).status_code == 200  # the changer stays signed in
    response = phone.get(reverse("notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_it_expires_sessions_after_the_cookie_age(client):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert not cookie["expires"] and not cookie["max-age"], "a browser-session cookie"
        assert client.get(reverse("notifications")).status_code == 200
    with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60), tick=False):
        assert client.get(reverse("notifications")).status_code == 200
    with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60), tick=False):
        response = client.get(reverse("notifications"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Content-Security-Policy -----------------------------------------------------------------------


def readable_paths(world) -> list[str]:
    """Every GET page of the site a superuser may open, from the resolver (so new pages join in)."""
    from tests.members.test_access_matrix import NAMES, PATTERNS

    paths = []
    for route, pattern in PATTERNS:
        policy = getattr(pattern.callback, "access_policy", None)
        if policy is None or policy.expected("GET", "superuser") != OK:
            continue
        kwargs = {name: URL_KWARGS[name](world) for name in pattern.pattern.converters}
        paths.append(reverse(NAMES[route], kwargs=kwargs))
    return paths


class InlineCodeFinder(HTMLParser):
    """Collects inline scripts, style attributes and inline event handlers (htmx's hx-on included)."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, _value in attrs:
            if name == "style" or name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}=…>")
        self._in_script = tag == "script" and not dict(attrs).get("src")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")


@pytest.mark.django_db
def test_every_page_carries_a_csp_without_unsafe_inline_and_no_inline_code(client):
    world = build_world()
    client.force_login(world.people["superuser"])
    checked = 0
    for path in readable_paths(world):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        assert response.headers.get("X-Frame-Options") == "DENY", path
        if response["Content-Type"].startswith("text/html"):
            finder = InlineCodeFinder()
            finder.feed(response.content.decode())
            assert finder.problems == [], (path, finder.problems)
            checked += 1
    assert checked >= 2


TAG = re.compile(r"<[a-zA-Z][^<>]*>")
INLINE_ATTR = re.compile(r"""\s(style|on[a-z]+|hx-on[:\w-]*|data-hx-on[:\w-]*)\s*=""", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def template_files() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT.glob("*/templates"))]
    return sorted(p for folder in folders for p in folder.rglob("*.html") if ".venv" not in p.parts)


def test_no_template_holds_inline_scripts_style_attributes_or_hx_on():
    problems = []
    files = template_files()
    assert files
    for path in files:
        source = path.read_text()
        for match in SCRIPT.finditer(source):
            if match.group(2).strip():
                problems.append(f"{path.relative_to(ROOT)}: inline <script> body")
        for tag in TAG.findall(source):
            if found := INLINE_ATTR.search(tag):
                problems.append(f"{path.relative_to(ROOT)}: {found.group(1)}= in {tag[:80]}")
    assert problems == []
