"""Sign-in lockout per client address, behind trusted proxies, with a growing cool-down (issue 15, point 8).

What found it: the scan behind the deployment's reverse proxy. Failures were counted per username
and the connecting address, which for every client was the proxy's: five wrong passwords from
anywhere locked the owner out of their own account, and failures with random usernames were never
throttled at all. Here one proxy (10.0.0.2) forwards an attacker (203.0.113.7) and the account's
owner (198.51.100.4), as ``X-Forwarded-For`` says.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from core.proxies import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 2026"
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.4"
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def owner():
    cache.clear()
    person = UserFactory()
    person.set_password(PASSWORD)
    person.save()
    yield person
    cache.clear()


def sign_in(client, username: str, password: str, *, via: str, remote: str = PROXY) -> int:
    client.logout()
    response = client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=via,
    )
    return response.status_code


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, TRUSTED_PROXY_COUNT=1)
def test_an_attacker_cannot_lock_the_owner_out_from_elsewhere(client, owner):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            assert sign_in(client, owner.email, "wrong password", via=ATTACKER) == 200
        assert sign_in(client, owner.email, "wrong password", via=ATTACKER) == 429  # the fifth pauses the attacker
        assert sign_in(client, owner.email, PASSWORD, via=ATTACKER) == 429
        assert sign_in(client, owner.email, PASSWORD, via=OWNER) == 302  # the owner is not


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, TRUSTED_PROXY_COUNT=1)
def test_failures_with_random_usernames_are_throttled_per_address(client, owner):
    with time_machine.travel(START, tick=False):
        for number in range(4):
            assert sign_in(client, f"nobody{number}@example.org", "guess", via=ATTACKER) == 200
        assert sign_in(client, "nobody-else@example.org", "guess", via=ATTACKER) == 429
        assert sign_in(client, owner.email, PASSWORD, via=OWNER) == 302


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, TRUSTED_PROXY_COUNT=1)
def test_the_cool_down_grows_while_an_address_keeps_failing(client, owner):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            sign_in(client, owner.email, "wrong", via=ATTACKER)
        clock.shift(timedelta(seconds=61))  # the first pause: one minute
        for _ in range(4):
            assert sign_in(client, owner.email, "wrong", via=ATTACKER) == 200
        assert sign_in(client, owner.email, "wrong", via=ATTACKER) == 429  # the second: two minutes
        assert sign_in(client, owner.email, PASSWORD, via=ATTACKER) == 429  # trying while paused: four
        clock.shift(timedelta(minutes=3))
        assert sign_in(client, owner.email, PASSWORD, via=ATTACKER) == 429  # and again: eight
        clock.shift(timedelta(minutes=7))
        assert sign_in(client, owner.email, PASSWORD, via=ATTACKER) == 429
        clock.shift(timedelta(days=1, minutes=1))
        assert sign_in(client, owner.email, PASSWORD, via=ATTACKER) == 302  # a pause, never a lock for ever


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(client, owner):
    with time_machine.travel(START, tick=False):
        for number in range(5):
            sign_in(client, f"user{number}@example.org", "wrong", via=f"192.0.2.{number}", remote=ATTACKER)
        assert sign_in(client, owner.email, PASSWORD, via="192.0.2.99", remote=ATTACKER) == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", PROXY),
        (1, "", PROXY),
        (1, f"{ATTACKER}", ATTACKER),
        (1, f"6.6.6.6, {ATTACKER}", ATTACKER),  # the client wrote 6.6.6.6 itself
        (2, f"6.6.6.6, {ATTACKER}, 10.0.0.1", ATTACKER),
        (1, "not-an-address", PROXY),
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxies_saw(rf, proxies, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected
