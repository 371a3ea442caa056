"""The API's lists are drawn once per state of their data for every token of an accelerator
(``api.cache``): a second token is served the first one's body, any write to what a list shows
(through the code, or a raw UPDATE a trigger sees) draws it again, the next local day does too, and
neither another accelerator's token nor a signed-in person is ever served that body."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.models import CheckIn
from challenges.posting import checkin_post
from cohorts.models import Cohort
from tests.api.conftest import build_api_world

pytestmark = pytest.mark.django_db(transaction=True)

LISTS = [
    "/api/v1/accelerators",
    "/api/v1/cohorts",
    "/api/v1/challenges",
    "/api/v1/challenges?phase=acceleration&limit=2&offset=1",
    "/api/v1/checkins",
]


@pytest.fixture
def world(transactional_db):
    cache.clear()
    world = build_api_world(challenges=3)
    posted = checkin_post(
        challenge=world.challenges[0], by=world.lead, data={"value": "35", "done": "Первый шаг", "confidence": "4"}
    )
    assert posted.saved
    return world


def read(client, url, world, role="read", **headers):
    """The response, and the queries it ran other than finding and stamping its token."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={**(world.headers(role) if role else {}), **headers})
    assert response.status_code == 200, response.content
    return response, [q["sql"] for q in captured if '"api_apitoken"' not in q["sql"]]


def raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("url", LISTS)
def test_a_second_token_of_the_accelerator_is_served_the_first_ones_body_after_one_query(client, world, url):
    first, _drawn = read(client, url, world, "read")
    again, kept = read(client, url, world, "write")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert len(kept) == 1 and kept[0].startswith("SELECT (SELECT COUNT(*)"), kept  # the digest alone


WRITES = {
    "a check-in posted": (
        "/api/v1/checkins",
        lambda w: checkin_post(
            challenge=w.challenges[1], by=w.admin, data={"value": "30", "done": "Ikkinchi", "confidence": "3"}
        ),
    ),
    "a check-in's words changed by a raw UPDATE": (
        "/api/v1/checkins",
        lambda w: raw("UPDATE challenges_checkin SET done = 'تم فتح نافذة ثانية'"),
    ),
    "a check-in deleted by raw SQL": ("/api/v1/checkins", lambda w: raw("DELETE FROM challenges_checkin")),
    "a challenge renamed by a raw UPDATE": (
        "/api/v1/challenges",
        lambda w: raw("UPDATE challenges_challenge SET title = title || ' ✓' WHERE id = %s", w.challenges[2].pk),
    ),
    "a lead entity renamed": (
        "/api/v1/challenges",
        lambda w: raw("UPDATE cohorts_entity SET name = 'Вазирлик' WHERE id = %s", w.challenges[0].lead_entity_id),
    ),
    "the draft launched": (
        "/api/v1/cohorts",
        lambda w: Cohort.objects.filter(pk=w.draft.pk).update(
            status=Cohort.Status.LAUNCHED, launched_at=timezone.now()
        ),
    ),
    "the accelerator renamed": (
        "/api/v1/accelerators",
        lambda w: raw(
            "UPDATE cohorts_accelerator SET name = 'UAE Government Accelerators' WHERE id = %s", w.accelerator.pk
        ),
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_a_list_shows_draws_it_again(client, world, write):
    url, change = WRITES[write]
    before, _ = read(client, url, world)
    change(world)
    after, drawn = read(client, url, world, "write")
    assert after.content != before.content, write
    assert len(drawn) > 1, "drawn, not served from the cache"


def test_another_accelerators_token_is_never_served_this_accelerators_list(client, world):
    mine, _ = read(client, "/api/v1/checkins", world, "read")
    theirs, _ = read(client, "/api/v1/checkins", world, "other")
    assert mine.json()["count"] == 1 and theirs.json()["count"] == 0


def test_a_signed_in_persons_lists_are_drawn_every_time(client, world):
    client.force_login(world.admin)
    read(client, "/api/v1/challenges", world, role=None)
    _again, queries = read(client, "/api/v1/challenges", world, role=None)
    assert any('FROM "challenges_challenge"' in sql for sql in queries), queries


def test_the_next_local_day_draws_the_days_again(client, world):
    before, _ = read(client, "/api/v1/challenges", world)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        after, drawn = read(client, "/api/v1/challenges", world, "write")
    days = {c["day"] for c in before.json()["results"]}, {c["day"] for c in after.json()["results"]}
    assert days[1] == {day + 1 for day in days[0]}
    assert len(drawn) > 1


def test_nothing_is_kept_from_inside_a_transaction(client, world):
    from django.db import transaction

    with transaction.atomic():
        CheckIn.objects.update(done="not committed yet")
        inside, _ = read(client, "/api/v1/checkins", world)
        transaction.set_rollback(True)
    outside, drawn = read(client, "/api/v1/checkins", world)
    assert inside.json()["results"][0]["done"] == "not committed yet"
    assert outside.json()["results"][0]["done"] == "Первый шаг" and len(drawn) > 1
