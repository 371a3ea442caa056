"""Posting a check-in through the API: the form's checks and the service's rules, a token's scope."""

import hashlib

import pytest
from django.test import override_settings
from django.utils import translation

from api.models import ApiToken
from challenges.models import CheckIn
from challenges.posting import checkin_post

pytestmark = pytest.mark.django_db


def post(client, world, challenge, body, role="write", **headers):
    url = f"/api/v1/challenges/{challenge.pk}/checkins"
    return client.post(url, body, content_type="application/json", headers={**world.headers(role), **headers})


GOOD = {"value": 35, "done": "Opened a second counter", "confidence": 4}


def test_a_write_token_posts_a_check_in_that_moves_the_challenge(client, world):
    challenge = world.challenges[0]
    response = post(client, world, challenge, GOOD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["corrected"] is False and body["checkin"]["value"] == "35.0000"
    checkin = CheckIn.objects.get(challenge=challenge)
    assert checkin.author == world.admin  # signed with the token's maker
    challenge.refresh_from_db()
    assert challenge.current_value == 35 and challenge.progress == pytest.approx(0.25)
    # The token's maker may correct it within the day, as on the page; the version guards it.
    again = post(client, world, challenge, {**GOOD, "value": "36.5", "version": 1})
    assert again.status_code == 200 and again.json()["corrected"] is True
    stale = post(client, world, challenge, {**GOOD, "value": "37", "version": 1})
    assert stale.status_code == 409 and stale["Content-Type"] == "application/problem+json"


def test_someone_elses_check_in_of_the_period_is_a_conflict(client, world):
    challenge = world.challenges[0]
    assert checkin_post(challenge=challenge, by=world.lead, data={**GOOD, "value": "30"}).saved
    response = post(client, world, challenge, GOOD)
    assert response.status_code == 409
    assert CheckIn.objects.get(challenge=challenge).value == 30


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "value"),
        ({**GOOD, "value": "abc"}, "value"),
        ({**GOOD, "value": 100000}, "value"),  # far outside the goal's range: the form's own check
        ({**GOOD, "value": "1e400"}, "value"),
        ({**GOOD, "done": "   "}, "done"),
        ({**GOOD, "confidence": 9}, "confidence"),
        ({**GOOD, "done": "x" * 5001}, "done"),
    ],
)
def test_input_the_form_refuses_is_refused_with_its_messages(client, world, body, field):
    response = post(client, world, world.challenges[0], body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not CheckIn.objects.exists()


def test_the_messages_are_in_the_callers_language(client, world):
    response = post(client, world, world.challenges[0], {"value": 35}, **{"Accept-Language": "ru"})
    with translation.override("ru"):
        from django.utils.translation import gettext

        expected = gettext("Say what the team did in this period.")
    assert expected in response.json()["errors"]["done"]
    assert expected != "Say what the team did in this period."


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"value": true}'])
def test_a_body_that_is_not_a_check_in_is_a_problem(client, world, body):
    url = f"/api/v1/challenges/{world.challenges[0].pk}/checkins"
    response = client.post(url, body, content_type="application/json", headers=world.headers("write"))
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_a_read_token_or_another_accelerators_token_posts_nothing(client, world):
    assert post(client, world, world.challenges[0], GOOD, role="read").status_code == 403
    assert post(client, world, world.challenges[0], GOOD, role="other").status_code == 404
    assert not CheckIn.objects.exists()


def test_the_token_is_stored_only_as_a_digest_and_its_use_is_recorded(client, world):
    plaintext = world.tokens["read"]
    token = ApiToken.objects.get(name="read")
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(list(ApiToken.objects.values()))
    assert token.last_used_at is None
    client.get("/api/v1/cohorts", headers=world.headers("read"))
    token.refresh_from_db()
    assert token.last_used_at is not None


@override_settings(API_RATE_LIMIT=3)
def test_each_token_has_its_own_rate_limit(client, world):
    from django.core.cache import cache

    cache.clear()
    answers = [client.get("/api/v1/cohorts", headers=world.headers("read")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/api/v1/cohorts", headers=world.headers("read"))
    assert limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another token still has its own budget.
    assert client.get("/api/v1/cohorts", headers=world.headers("write")).status_code == 200
