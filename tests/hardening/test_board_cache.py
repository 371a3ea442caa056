"""Junk query strings never fill the cache with cohort boards (issue 15, point 10).

What found it: the scanner's parameter fuzzing of ``/dashboards/cohorts/<id>/`` left 200 cache
entries of about 24 KiB each, one per junk query string (``?x=1``, ``?status=<payload>``,
``?page=9999…``), because the board's cache key took the query string as it came. Only the
parameters the board knows, with values it accepts, in the form it shows them, make a key.
"""

import pytest
import time_machine
from django.core.cache import cache

from tests.dashboards.dashboard_data import NOW, build_cohort, official_of
from tests.dashboards.test_views import board_url

JUNK = [
    {"x": "1"},
    {"utm_source": "scanner"},
    {"status": "<script>"},
    {"status": "at_risk", "junk": "1"},
    {"phase": "' OR 1=1 --"},
    {"entity": "999999"},
    {"entity": "007"},
    {"entity": "abc"},
    {"sort": "password"},
    {"page": "abc"},
    {"page": "0"},
    {"page": "99999"},
    {"q": " visa "},
    {"q": "x" * 300},
]


def board_keys() -> set[str]:
    return {key for key in cache._cache if key.startswith(":1:cohort-board:")}  # noqa: SLF001


@pytest.fixture
def cohort_and_reader(client):
    with time_machine.travel(NOW, tick=False):
        cache.clear()
        cohort = build_cohort(12)
        client.force_login(official_of(cohort.accelerator))
        yield cohort, client
        cache.clear()


@pytest.mark.django_db(transaction=True)
def test_junk_query_strings_are_answered_but_never_cached(cohort_and_reader):
    cohort, client = cohort_and_reader
    for number, params in enumerate(JUNK * 3):
        response = client.get(board_url(cohort, **params, **({"n": str(number)} if number % 2 else {})))
        assert response.status_code == 200, params
    assert board_keys() == set()


@pytest.mark.django_db(transaction=True)
def test_the_boards_people_open_are_still_cached_once_each(cohort_and_reader):
    cohort, client = cohort_and_reader
    client.get(board_url(cohort))
    client.get(board_url(cohort, status="at_risk", sort="-progress"))
    # The filter form, as htmx sends it: every field, most of them empty; the same board as above.
    assert (
        "rows"
        not in client.get(board_url(cohort, q="", entity="", status="at_risk", phase="", sort="-progress")).context
    )
    assert "rows" not in client.get(board_url(cohort)).context  # served from the cache
    assert len(board_keys()) == 2
