"""The cohort board's reads: filters, search in four languages, sorting, and constant query counts."""

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Challenge, Status
from core.text import search_key
from dashboards.selectors import SORTS, BoardFilters, board_challenges, status_counts
from tests.dashboards.dashboard_data import NOW, build_cohort, official_of
from tests.factories import AcceleratorFactory

pytestmark = pytest.mark.django_db

TITLES = [
    "Shorter wait for a residency VISA",
    "Сократить время ожидания в поликлиниках",
    "Ёлочный базар без очередей",
    "خفض وقت انتظار الإقامة",
    "مُؤَشِّر الخدمات الرقمية",
    "Oʻzbekiston davlat xizmatlari onlayn",
    "Toshkentda gʼaznachilik to‘lovlari",
    '=HYPERLINK("http://evil.example")',
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cohort():
    return build_cohort(len(TITLES), titles=TITLES)


def titles(cohort, **filters) -> list[str]:
    return [c.title for c in board_challenges(cohort=cohort, filters=BoardFilters(**filters))]


# --- Search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("visa", [TITLES[0]]),
        ("RESIDENCY visa", [TITLES[0]]),
        ("ВРЕМЯ", [TITLES[1]]),  # Cyrillic, other case: SQLite's LIKE folds only ASCII
        ("поликлиник", [TITLES[1]]),
        ("елочный", [TITLES[2]]),  # ё typed as е
        ("ОЧЕРЕД", [TITLES[2]]),
        ("الإقامة", [TITLES[3]]),  # Arabic
        ("الاقامة", [TITLES[3]]),  # … typed without the hamza
        ("مؤشر", [TITLES[4]]),  # the title carries diacritics, the term does not
        ("o'zbekiston", [TITLES[5]]),  # Uzbek: ' for ʻ
        ("OʻZBEKISTON", [TITLES[5]]),
        ("gʻaznachilik", [TITLES[6]]),  # ʻ for ʼ
        ("to'lovlari", [TITLES[6]]),  # ' for ‘
        ("=hyperlink", [TITLES[7]]),
        ("wait انتظار", []),  # every word must match
        ("%", []),  # LIKE wildcards are literal
        ("_", []),
        ("   ", TITLES),
    ],
)
def test_it_finds_titles_in_any_script_and_case(cohort, term, expected):
    assert sorted(titles(cohort, q=term)) == sorted(expected)


def test_folding_is_the_same_for_titles_and_terms():
    """The board searches the stored key (tests/core/test_search_key.py holds the folding itself)."""
    assert search_key("OʻZBEKISTON") == search_key("o'zbekiston") == search_key("Ўзбекистон") == "ozbekiston"
    assert search_key("مُؤَشِّر") == search_key("مؤشر")
    assert search_key("الإقامة") == search_key("الاقامة")
    assert search_key("Ёлка") == "yolka elka"


# --- Filters ---------------------------------------------------------------------------------------


def test_it_filters_by_status_phase_and_entity(cohort):
    challenges = list(Challenge.objects.filter(cohort=cohort).order_by("title"))
    assert set(titles(cohort, status=Status.AT_RISK)) == {c.title for c in challenges if c.status == Status.AT_RISK}
    assert titles(cohort, phase="design") == []
    assert len(titles(cohort, phase="acceleration")) == len(TITLES)
    entity = challenges[0].lead_entity
    assert set(titles(cohort, entity=entity.pk)) == {c.title for c in challenges if c.lead_entity_id == entity.pk}
    combined = titles(cohort, entity=entity.pk, status=challenges[0].status, q=challenges[0].title.split()[0])
    assert challenges[0].title in combined


def test_it_never_shows_another_cohorts_challenges(cohort):
    other = build_cohort(3, accelerator=cohort.accelerator)
    assert not set(titles(cohort)) & set(titles(other))


# --- Sort ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(SORTS))
def test_every_column_sorts_both_ways(key):
    cohort = build_cohort(12)
    ascending = [c.pk for c in board_challenges(cohort=cohort, filters=BoardFilters(sort=key))]
    descending = [c.pk for c in board_challenges(cohort=cohort, filters=BoardFilters(sort=f"-{key}"))]
    assert sorted(ascending) == sorted(descending)
    assert len(ascending) == 12
    if key not in {"phase", "day"}:  # one phase in this cohort: ties fall back to the title both ways
        assert ascending != descending


def test_sorting_uses_the_stored_values():
    cohort = build_cohort(12)
    by_progress = list(board_challenges(cohort=cohort, filters=BoardFilters(sort="-progress")))
    assert [c.progress for c in by_progress] == sorted((c.progress for c in by_progress), reverse=True)
    by_status = list(board_challenges(cohort=cohort, filters=BoardFilters(sort="status")))
    assert by_status[0].status == Status.OFF_TRACK  # most worrying first
    by_lead = [c.team_lead_name for c in board_challenges(cohort=cohort, filters=BoardFilters(sort="-lead"))]
    assert by_lead == sorted(by_lead, reverse=True)


def test_an_unknown_sort_falls_back_to_the_title():
    cohort = build_cohort(5)
    ordered = [c.title for c in board_challenges(cohort=cohort, filters=BoardFilters(sort="password; DROP"))]
    assert ordered == sorted(ordered)


def test_counts_per_status_come_from_one_query(cohort, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts, total = status_counts(cohort=cohort)
    assert total == len(TITLES)
    assert sum(c.count for c in counts) == total


# --- Query counts: the same at 10 and at 300 challenges -----------------------------------------------

PAGES = {
    "index": lambda cohort: reverse("dashboard_index"),
    "overview": lambda cohort: reverse("accelerator_overview", args=[cohort.accelerator.slug]),
    "board": lambda cohort: reverse("cohort_board", args=[cohort.pk]),
    "board_filtered": lambda cohort: reverse("cohort_board", args=[cohort.pk]) + "?status=at_risk&q=chal&sort=-lead",
    "board_htmx": lambda cohort: reverse("cohort_board", args=[cohort.pk]) + "?sort=status",
    "export_csv": lambda cohort: reverse("cohort_export_csv", args=[cohort.pk]),
    "export_xlsx": lambda cohort: reverse("cohort_export_xlsx", args=[cohort.pk]),
    "briefing": lambda cohort: reverse("cohort_briefing", args=[cohort.pk]),
    "cohort_report": lambda cohort: reverse("cohort_report", args=[cohort.pk]),
    "accelerator_report": lambda cohort: reverse("accelerator_report", args=[cohort.accelerator.slug]),
    "challenge": lambda cohort: reverse(
        "challenge_detail", args=[Challenge.objects.filter(cohort=cohort).order_by("pk").first().pk]
    ),
}
# Pinned: session, user, (cohort and the reader's grant, or accelerator), then the page's own reads (the board: entity
# choices, COUNT and one page of rows, counts per status, the chart; and the unread-notification
# badge). See the selectors.
EXPECTED_QUERIES = {
    "index": 4,
    "overview": 5,
    "board": 10,
    "board_filtered": 10,
    "board_htmx": 7,
    "export_csv": 6,
    "export_xlsx": 6,
    "briefing": 8,
    "cohort_report": 13,
    "accelerator_report": 6,
    "challenge": 16,
}


def count_queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(queries)


def test_each_page_runs_the_same_queries_at_10_and_300_challenges(client):
    """Every page against one pair of cohorts (building a 300-challenge cohort costs more than the
    pages): its first view's queries at 10 and at 300 challenges, and the next view's, pinned above."""
    accelerator = AcceleratorFactory()
    sizes = [
        (10, build_cohort(10, accelerator=accelerator)),
        (300, build_cohort(300, accelerator=accelerator, checkins=14)),
    ]
    client.force_login(official_of(accelerator))
    problems = []
    for page, url in PAGES.items():
        headers = {"HX-Request": "true"} if page == "board_htmx" else {}
        first = {n: count_queries(client, url(cohort), **headers) for n, cohort in sizes}
        repeat = count_queries(client, url(sizes[1][1]), **headers)
        if not first[10] == first[300] <= 16 or repeat != EXPECTED_QUERIES[page]:
            problems.append(
                f"{page}: {first[10]} at 10, {first[300]} at 300, then {repeat} ({EXPECTED_QUERIES[page]} pinned)"
            )
    assert problems == []


# Outside a test's transaction (as every GET runs), the board is cached: the first view renders it
# (the queries above, plus the digest of its data); the next ones read session, user, cohort, grant,
# the digest (and the badge) and take the rendered board from the cache.
BOARD_PAGES = {"board": (11, 6), "board_filtered": (11, 6), "board_htmx": (8, 5)}
# Every other cached page alike (``core.pagecache``): (first view, the next ones).
CACHED_PAGES = {
    "overview": (6, 5),
    "export_csv": (7, 5),
    "export_xlsx": (7, 5),
    "briefing": (9, 5),
    "cohort_report": (14, 5),
    "accelerator_report": (7, 4),
    # For a reader who posts nothing there: the challenge, the rule with the reader's seats on it
    # (``can_read_challenge``: whether they may post and the breadcrumb need no query more), the digest.
    "challenge": (17, 6),
}


@pytest.mark.django_db(transaction=True)
def test_the_cached_board_runs_the_same_queries_at_10_and_300_challenges(client):
    accelerator = AcceleratorFactory()
    sizes = [
        (10, build_cohort(10, accelerator=accelerator)),
        (300, build_cohort(300, accelerator=accelerator, checkins=14)),
    ]
    client.force_login(official_of(accelerator))
    counts = {}
    for page in BOARD_PAGES:
        cache.clear()
        headers = {"HX-Request": "true"} if page == "board_htmx" else {}
        cold = [count_queries(client, PAGES[page](cohort), **headers) for _, cohort in sizes]
        cached = [count_queries(client, PAGES[page](cohort), **headers) for _, cohort in sizes]
        counts[page] = {n: (cold[i], cached[i]) for i, (n, _) in enumerate(sizes)}
    assert counts == {page: {10: pinned, 300: pinned} for page, pinned in BOARD_PAGES.items()}, counts


@pytest.mark.django_db(transaction=True)
def test_every_cached_page_runs_the_same_queries_at_10_and_300_challenges(client):
    cohorts = {
        n: build_cohort(n, checkins=checkins) for n, checkins in [(10, 3), (300, 14)]
    }  # an accelerator each: the overview grows too
    counts = {}
    for page in CACHED_PAGES:
        cache.clear()
        counts[page] = {}
        for n, cohort in cohorts.items():
            client.force_login(official_of(cohort.accelerator))
            counts[page][n] = (count_queries(client, PAGES[page](cohort)), count_queries(client, PAGES[page](cohort)))
    assert counts == {page: {10: pinned, 300: pinned} for page, pinned in CACHED_PAGES.items()}, counts
