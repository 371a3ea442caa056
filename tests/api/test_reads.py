"""The API's reads: what each caller sees, the board's numbers, pagination, filters, ETags, problems."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import schemas
from challenges.clock import clock_tick
from challenges.models import Challenge
from challenges.posting import checkin_post
from tests.api.conftest import build_api_world
from tests.factories import ChallengeFactory

pytestmark = pytest.mark.django_db


def get(client, url, world=None, role="read", **extra):
    headers = world.headers(role) if world else {}
    return client.get(url, headers={**headers, **extra.pop("headers", {})}, **extra)


def test_it_refuses_a_request_without_a_token_as_a_problem(client):
    response = client.get("/api/v1/challenges")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and body["title"] and body["type"] == "about:blank"


def test_it_refuses_a_made_up_or_revoked_token(client, world):
    from api.models import ApiToken
    from api.tokens import token_revoke

    forged = world.tokens["read"][:-4] + "abcd"
    assert client.get("/api/v1/challenges", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    token_revoke(token=ApiToken.objects.get(name="read"))
    assert get(client, "/api/v1/challenges", world).status_code == 401


def test_a_token_sees_its_accelerator_without_drafts(client, world):
    response = get(client, "/api/v1/cohorts", world)
    assert response.status_code == 200
    ids = [c["id"] for c in response.json()["results"]]
    assert ids == [world.cohort.pk]  # not the draft, not the other accelerator's
    challenges = get(client, "/api/v1/challenges", world).json()["results"]
    assert {c["id"] for c in challenges} == {c.pk for c in world.challenges}
    assert get(client, f"/api/v1/cohorts/{world.draft.pk}", world).status_code == 404
    assert get(client, "/api/v1/accelerators", world).json()["results"][0]["slug"] == "uae"
    assert get(client, "/api/v1/accelerators/uz", world).status_code == 404
    other = get(client, f"/api/v1/challenges/{world.challenges[0].pk}", world, role="other")
    assert other.status_code == 404 and other["Content-Type"] == "application/problem+json"


def test_a_program_admin_signed_in_sees_the_draft_as_on_the_pages(client, world):
    client.force_login(world.admin)
    ids = {c["id"] for c in client.get("/api/v1/cohorts").json()["results"]}
    assert ids == {world.cohort.pk, world.draft.pk}
    client.force_login(world.lead)  # a team lead sees only their own challenge
    assert [c["id"] for c in client.get("/api/v1/challenges").json()["results"]] == [world.challenges[0].pk]


def test_a_challenge_reads_as_the_board_shows_it(client, world):
    challenge = world.challenges[0]
    posted = checkin_post(
        challenge=challenge, by=world.lead, data={"value": "35", "done": "Opened a counter", "confidence": "4"}
    )
    assert posted.saved
    challenge.refresh_from_db()
    body = get(client, f"/api/v1/challenges/{challenge.pk}", world).json()
    assert body["phase"] == "acceleration" and body["day"] == 10 and body["day_of_100"] == 10
    assert body["progress"] == pytest.approx(challenge.progress) == pytest.approx(0.25)
    assert body["expected_progress"] == pytest.approx(challenge.expected_progress)
    assert body["status"] == challenge.status
    assert Decimal(body["current_value"]) == Decimal("35")
    assert [c["value"] for c in body["latest_checkins"]] == ["35.0000"]
    assert [(t["from_phase"], t["to_phase"]) for t in body["transitions"]] == [("design", "acceleration")]
    assert body["stations"], "the clock made the stations"
    cohort = get(client, f"/api/v1/cohorts/{world.cohort.pk}", world).json()
    # The accelerator overview's numbers (challenges.results.with_results).
    assert cohort["results"]["total"] == 2
    assert cohort["results"]["mean_progress"] == pytest.approx(0.125)
    assert cohort["phase"] == "acceleration" and cohort["day"] == 10


def test_it_pages_and_filters(client, world):
    ChallengeFactory.create_batch(3, cohort=world.cohort)
    clock_tick()
    first = get(client, "/api/v1/challenges?limit=2", world).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["next_offset"] == 2
    last = get(client, "/api/v1/challenges?limit=2&offset=4", world).json()
    assert len(last["results"]) == 1 and last["next_offset"] is None
    seen = {
        c["id"]
        for page in (0, 2, 4)
        for c in get(client, f"/api/v1/challenges?limit=2&offset={page}", world).json()["results"]
    }
    assert len(seen) == 5
    Challenge.objects.filter(pk=world.challenges[1].pk).update(status="at_risk")
    at_risk = get(client, "/api/v1/challenges?status=at_risk", world).json()["results"]
    assert [c["id"] for c in at_risk] == [world.challenges[1].pk]
    assert get(client, "/api/v1/challenges?phase=design", world).json()["count"] == 0
    assert get(client, f"/api/v1/challenges?cohort={world.draft.pk}", world).json()["count"] == 0


@pytest.mark.parametrize("query", ["limit=0", "limit=1000", "offset=-1", "status=nonsense", "phase=later", "cohort=x"])
def test_bad_parameters_are_a_422_problem(client, world, query):
    response = get(client, f"/api/v1/challenges?{query}", world)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]


def test_an_etag_gives_304_until_the_data_changes(client, world):
    url = f"/api/v1/challenges/{world.challenges[0].pk}"
    first = get(client, url, world)
    etag = first["ETag"]
    again = get(client, url, world, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert get(client, url, world, headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
    Challenge.objects.filter(pk=world.challenges[0].pk).update(title="Renamed")
    changed = get(client, url, world, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag and changed.json()["title"] == "Renamed"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nowhere", 404),
        ("get", "/api/", 404),
        ("get", "/api/v1/challenges/abc", 404),
        ("delete", "/api/v1/challenges", 405),
        ("put", "/api/v1/openapi.json", 405),
        ("get", "/api/v1/", 404),
    ],
)
def test_unknown_addresses_and_methods_are_problems_not_pages(client, world, method, path, status):
    response = getattr(client, method)(path, headers=world.headers("read"))
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["status"] == status


def test_the_openapi_document_describes_every_operation_with_bearer_auth(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/challenges", "/api/v1/challenges/{challenge_id}/checkins", "/api/v1/cohorts"} <= set(
        schema["paths"]
    )
    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())


@pytest.mark.parametrize("path", ["/api/v1/challenges", "/api/v1/cohorts", "/api/v1/checkins", "/api/v1/accelerators"])
def test_a_list_costs_the_same_queries_whatever_the_data(client, path):
    small = build_api_world(challenges=2)
    client.get(path, headers=small.headers("read"))  # warm: content types, translations
    with CaptureQueriesContext(connection) as few:
        assert client.get(path, headers=small.headers("read")).status_code == 200
    for challenge in ChallengeFactory.create_batch(30, cohort=small.cohort):
        checkin_post(challenge=challenge, by=small.admin, data={"value": "30", "done": "x", "confidence": "3"})
    with CaptureQueriesContext(connection) as many:
        response = client.get(path, headers=small.headers("read"))
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # The token's lookup, then the page and its count in one query (a window count).
    assert len(few) == 2, [q["sql"] for q in few.captured_queries]


PAGES = {
    "/api/v1/challenges": schemas.ChallengePage,
    "/api/v1/cohorts": schemas.CohortPage,
    "/api/v1/checkins": schemas.CheckInPage,
    "/api/v1/accelerators": schemas.AcceleratorPage,
}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_a_body_built_from_rows_is_what_its_schema_documents(client, world, path):
    """The reads skip pydantic on the way out; their bodies must still be exactly the schema's."""
    checkin_post(challenge=world.challenges[0], by=world.lead, data={"value": "35", "done": "x", "confidence": "4"})
    body = get(client, path, world).json()
    assert body["results"], "something to check"
    validated = PAGES[path].model_validate(body)
    assert json.loads(validated.model_dump_json()).keys() == body.keys()
    for item, checked in zip(body["results"], validated.results, strict=True):
        assert set(item) == set(type(checked).model_fields), "no field missing, none undocumented"
    detail = get(client, f"/api/v1/challenges/{world.challenges[0].pk}", world).json()
    assert set(detail) == set(schemas.ChallengeDetailOut.model_fields)
    schemas.ChallengeDetailOut.model_validate(detail)


def test_a_page_past_the_end_still_counts_the_rows(client, world):
    body = get(client, "/api/v1/challenges?offset=50", world).json()
    assert body["results"] == [] and body["count"] == len(world.challenges) and body["next_offset"] is None
