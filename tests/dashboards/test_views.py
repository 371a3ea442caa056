"""The dashboards as each kind of reader sees them: pages, htmx partials, scope, bad input."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from challenges.clock import clock_tick
from challenges.models import Challenge, CheckIn
from challenges.services import challenge_take_latest_checkin
from members.models import AcceleratorRole, Membership
from tests.dashboards.dashboard_data import NOW, build_cohort, official_of
from tests.factories import AcceleratorFactory, CohortFactory, GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def accelerator():
    return AcceleratorFactory(slug="uz", name="Uzbekistan Government Accelerators")


@pytest.fixture
def cohort(accelerator):
    return build_cohort(8, accelerator=accelerator)


def board_url(cohort, **params):
    url = reverse("cohort_board", kwargs={"cohort_id": cohort.pk})
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


# --- Index ---------------------------------------------------------------------------------------


def test_it_lists_the_accelerators_a_person_can_open(client, accelerator, cohort):
    AcceleratorFactory(slug="elsewhere", name="Elsewhere")
    client.force_login(official_of(accelerator))
    response = client.get(reverse("dashboard_index"))
    assert response.status_code == 200
    assert [a.slug for a in response.context["accelerators"]] == ["uz"]
    assert response.context["accelerators"][0].visible_cohorts == 1
    assert "Elsewhere" not in response.content.decode()


def test_it_shows_an_empty_state_to_people_without_dashboards(client, cohort):
    lead = Membership.objects.filter(challenge__cohort=cohort).first().user
    client.force_login(lead)
    response = client.get(reverse("dashboard_index"))
    assert response.status_code == 200
    assert response.context["accelerators"] == []
    assert "You have no dashboards yet" in response.content.decode()


def test_it_sends_anonymous_readers_to_the_login_page(client, cohort):
    for url in [reverse("dashboard_index"), board_url(cohort), reverse("accelerator_overview", args=["uz"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# --- Overview ---------------------------------------------------------------------------------------


def test_it_shows_each_cohort_with_its_results(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    response = client.get(reverse("accelerator_overview", args=[accelerator.slug]))
    assert response.status_code == 200
    [result] = response.context["results"]
    assert (result.total, result.achieved, result.day, result.phase) == (8, 2, 40, "acceleration")
    assert result.after_day_100 == 0
    html = response.content.decode()
    assert "Day 40/100" in html
    assert "2 / 8" in html
    assert 'role="img"' in html  # the results chart, with its text alternative


def test_an_official_granted_one_cohort_sees_only_that_cohort(client, accelerator, cohort):
    other = build_cohort(3, accelerator=accelerator)
    official = official_of(accelerator, cohort=cohort)
    client.force_login(official)
    response = client.get(reverse("accelerator_overview", args=[accelerator.slug]))
    assert [r.cohort.pk for r in response.context["results"]] == [cohort.pk]
    assert client.get(board_url(cohort)).status_code == 200
    assert client.get(board_url(other)).status_code == 404
    assert client.get(reverse("cohort_export_csv", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("who", ["other_official", "other_admin", "team_lead", "coach_seat", "stranger"])
def test_nobody_sees_another_governments_dashboards_by_guessing_a_url(client, accelerator, cohort, who):
    other = AcceleratorFactory(slug="other-country")
    challenge = cohort.challenges.first()
    user = {
        "other_official": lambda: official_of(other),
        "other_admin": lambda: GrantFactory(accelerator=other, role=AcceleratorRole.Role.PROGRAM_ADMIN).user,
        "team_lead": lambda: Membership.objects.get(challenge=challenge, role="team_lead").user,
        "coach_seat": lambda: MembershipFactory(challenge=challenge, role=Membership.Role.COACH).user,
        "stranger": lambda: UserFactory(),
    }[who]()
    client.force_login(user)
    for name, args in [
        ("accelerator_overview", [accelerator.slug]),
        ("cohort_board", [cohort.pk]),
        ("cohort_export_csv", [cohort.pk]),
        ("cohort_export_xlsx", [cohort.pk]),
        ("cohort_briefing", [cohort.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name


def test_the_program_admin_sees_their_own_accelerator(client, accelerator, cohort):
    admin = GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    client.force_login(admin)
    assert client.get(reverse("accelerator_overview", args=[accelerator.slug])).status_code == 200
    assert client.get(board_url(cohort)).status_code == 200


def test_an_unknown_accelerator_or_cohort_is_not_found(client, accelerator, cohort):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(reverse("accelerator_overview", args=["nowhere"])).status_code == 404
    assert client.get(reverse("cohort_board", args=[cohort.pk + 1000])).status_code == 404


def test_an_accelerator_without_cohorts_shows_an_empty_state(client):
    empty = AcceleratorFactory(slug="new-program")
    client.force_login(official_of(empty))
    response = client.get(reverse("accelerator_overview", args=["new-program"]))
    assert response.status_code == 200
    assert "No cohorts to show yet." in response.content.decode()


ADMIN = AcceleratorRole.Role.PROGRAM_ADMIN
DRAFT_READERS = {
    "official": lambda a: official_of(a),
    "official_of_the_draft": lambda a: official_of(a, cohort=a.cohorts.get(status="draft")),
    "coach": lambda a: GrantFactory(accelerator=a, role=AcceleratorRole.Role.COACH).user,
    "admin": lambda a: GrantFactory(accelerator=a, role=ADMIN).user,
    "other_admin": lambda a: GrantFactory(accelerator=AcceleratorFactory(), role=ADMIN).user,
    "superuser": lambda a: UserFactory(is_superuser=True),
}
SEES_DRAFTS = {"admin", "superuser"}


@pytest.mark.parametrize("who", sorted(DRAFT_READERS))
def test_only_admins_see_a_draft_cohort(client, accelerator, cohort, who):
    draft = CohortFactory(accelerator=accelerator, draft=True, name="Spring intake (draft)")
    client.force_login(DRAFT_READERS[who](accelerator))
    sees = who in SEES_DRAFTS
    board = client.get(board_url(draft))
    assert board.status_code == (200 if sees else 404)
    for name in ("cohort_export_csv", "cohort_export_xlsx", "cohort_briefing"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == (200 if sees else 404), name
    if who == "other_admin":
        assert client.get(reverse("dashboard_index")).context["accelerators"][0].slug != accelerator.slug
        return
    index = client.get(reverse("dashboard_index"))
    [listed] = [a for a in index.context["accelerators"] if a.pk == accelerator.pk]
    launched = 0 if who == "official_of_the_draft" else 1
    assert listed.visible_cohorts == launched + (1 if sees else 0)
    overview = client.get(reverse("accelerator_overview", args=[accelerator.slug]))
    assert overview.status_code == 200
    results = overview.context["results"]
    assert [r.cohort.pk for r in results if r.phase == "draft"] == ([draft.pk] if sees else [])
    assert (draft.name in overview.content.decode()) is sees


@pytest.mark.parametrize("language", ["en", "ar", "uz", "ru"])
def test_a_draft_is_marked_as_a_draft_for_admins(client, accelerator, language):
    from django.utils import translation

    draft = CohortFactory(accelerator=accelerator, draft=True)
    client.force_login(GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        badge = '<span class="status status-not_started'
        word = translation.gettext("Draft")
    assert language == "en" or word != "Draft"
    for url in (reverse("accelerator_overview", args=[accelerator.slug]), board_url(draft)):
        html = client.get(url, headers={"accept-language": language}).content.decode()
        assert badge in html and f">{word}</span>" in html, url


# --- Cohort board -------------------------------------------------------------------------------------


def test_the_board_shows_every_challenge_with_its_stored_values(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    response = client.get(board_url(cohort))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.context["rows"]) == 8
    first = response.context["rows"][0]
    assert (first.title, first.team_lead, first.status, first.progress_pct, first.expected_pct) == (
        "Challenge 000",
        f"Lead {cohort.pk}-0",
        "on_track",
        0,
        40,
    )
    assert 'class="status status-at_risk">at risk<' in html  # colour and text
    assert "progress-expected pct-40" in html
    assert "40/100" in html
    assert reverse("challenge_detail", kwargs={"challenge_id": first.id}) in html
    # counts per status at the top, the chart and its text alternative
    assert [(c.status, c.count) for c in response.context["status_counts"]] == [
        ("off_track", 2),
        ("at_risk", 2),
        ("on_track", 2),
        ("achieved", 2),
    ]
    assert "Mean progress vs expected over the 100 days" in html
    assert "Chart data" in html
    assert response["Vary"].count("HX-Request") == 1


def test_htmx_gets_only_the_table(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    response = client.get(board_url(cohort, status="at_risk"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="board">')
    assert "<html" not in html
    assert html.count('<th scope="row">') == 2
    assert "Vary" in response and "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    response = client.get(
        board_url(cohort, status="at_risk"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_url_round_trips_the_filters(client, accelerator, cohort):
    """A shared link reopens the same view: the form is filled from it, the links keep it."""
    client.force_login(official_of(accelerator))
    entity = cohort.challenges.order_by("title").first().lead_entity
    params = {"q": "Challenge", "entity": entity.pk, "status": "on_track", "phase": "acceleration", "sort": "-progress"}
    response = client.get(board_url(cohort, **params))
    html = response.content.decode()
    form = response.context["form"]
    assert form.filters().status == "on_track" and form.filters().sort == "-progress"
    assert 'value="Challenge"' in html
    assert f'<option value="{entity.pk}" selected>' in html
    assert '<option value="on_track" selected>' in html
    assert '<option value="acceleration" selected>' in html
    assert 'name="sort" value="-progress" form="board-filters"' in html
    query = response.context["query"]
    assert f"{reverse('cohort_export_xlsx', args=[cohort.pk])}?{query}".replace("&", "&amp;") in html
    # Reopening the export link gives the same rows as the board.
    again = client.get(board_url(cohort) + "?" + query)
    assert [r.id for r in again.context["rows"]] == [r.id for r in response.context["rows"]]


def test_the_sort_headers_toggle_and_keep_the_filters(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    response = client.get(board_url(cohort, status="at_risk", sort="progress"))
    headers = {h["key"]: h for h in response.context["headers"]}
    assert headers["progress"]["aria_sort"] == "ascending"
    assert headers["progress"]["href"] == "?status=at_risk&sort=-progress"
    assert headers["title"]["href"] == "?status=at_risk&sort=title"
    assert headers["title"]["aria_sort"] == ""


def test_bad_filter_values_are_reported_beside_the_field_and_ignored(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    response = client.get(board_url(cohort, status="exploded", entity="x", sort="password"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_status_error"' in html
    assert 'id="id_entity_error"' in html
    assert "Select a valid choice" in html
    assert len(response.context["rows"]) == 8


def test_the_board_only_answers_get(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    assert client.post(board_url(cohort)).status_code == 405


def test_an_empty_filter_result_says_so(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    response = client.get(board_url(cohort, q="nothing like this"))
    assert "No challenge matches these filters." in response.content.decode()


# --- The cached board follows its data ------------------------------------------------------------


def shared_cache(test):
    """Run outside a test case's transaction, as every real GET runs: the board may be cached and shared."""
    return pytest.mark.django_db(transaction=True)(pytest.mark.usefixtures("empty_cache")(test))


@pytest.fixture
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _board_html(client, cohort, **headers) -> str:
    response = client.get(board_url(cohort), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


@shared_cache
def test_the_board_is_served_from_the_cache_while_its_data_stands_still(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    first = client.get(board_url(cohort))
    assert "rows" in first.context  # rendered
    again = client.get(board_url(cohort))
    assert "rows" not in again.context  # served from the cache …
    assert again.context["board_html"] == first.context["board_html"]  # … the same board


@shared_cache
def test_every_write_to_what_the_board_shows_renders_it_afresh(client, accelerator, cohort):
    """Whatever writes the data (a form, a queryset update, the clock's SQL), the next view shows it:
    the cache key is a digest of the rows, not a timestamp some writer might not touch."""
    client.force_login(official_of(accelerator))
    challenge = cohort.challenges.order_by("title").first()
    assert "Renamed challenge" not in _board_html(client, cohort)

    # A bare UPDATE that leaves updated_at alone.
    Challenge.objects.filter(pk=challenge.pk).update(title="Renamed challenge")
    assert "Renamed challenge" in _board_html(client, cohort)

    # The lead entity's name (another table).
    entity = challenge.lead_entity
    entity.name = "Ministry of Renamed Things"
    entity.save()
    assert "Ministry of Renamed Things" in _board_html(client, cohort)

    # The team lead's name (a user row).
    lead = Membership.objects.get(challenge=challenge, role=Membership.Role.TEAM_LEAD).user
    lead.full_name = "Renamed Lead"
    lead.save()
    assert "Renamed Lead" in _board_html(client, cohort)

    # An old check-in corrected (the latest one, the challenge's values and the count stay as they
    # were): every check-in write ends in challenge_take_latest_checkin, and the chart moves.
    before = _board_html(client, cohort)
    checkin = CheckIn.objects.filter(challenge=challenge).order_by("period").first()
    CheckIn.objects.filter(pk=checkin.pk).update(value=checkin.value - 5)
    challenge_take_latest_checkin(challenge=challenge, today=accelerator.local_today())
    assert _board_html(client, cohort) != before

    # The clock's set-based SQL: run for tomorrow, it moves every expected-progress marker.
    before = _board_html(client, cohort)
    clock_tick(now=NOW + timedelta(days=1))
    assert _board_html(client, cohort) != before


@shared_cache
def test_the_cache_keeps_languages_and_the_htmx_table_apart(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    english = _board_html(client, cohort)
    table = _board_html(client, cohort, **{"HX-Request": "true"})
    client.cookies["django_language"] = "ar"
    arabic = _board_html(client, cohort)
    assert 'dir="rtl"' in arabic and 'dir="rtl"' not in english
    assert "<html" not in table and table.lstrip().startswith('<div id="board">')
    assert "التحديات" in arabic or "تحد" in arabic


def test_a_board_read_inside_a_transaction_is_never_shared(client, accelerator, cohort):
    """A transaction may read its own uncommitted rows: what it renders stays its own."""
    cache.clear()
    client.force_login(official_of(accelerator))
    for _ in range(2):
        assert "rows" in client.get(board_url(cohort)).context  # rendered each time
    assert not any(key.startswith(":1:cohort-board:") for key in cache._cache)  # noqa: SLF001


# --- Briefing -------------------------------------------------------------------------------------------


def test_the_briefing_is_printable_in_the_readers_language(client, accelerator, cohort):
    official = official_of(accelerator)
    official.preferred_language = "ar"
    official.save()
    client.force_login(official)
    response = client.get(reverse("cohort_briefing", args=[cohort.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert "print:hidden" in html
    assert "Challenge 007" in html
    assert 'class="site-nav"' not in html  # none of the site's navigation on paper


def test_the_briefing_names_the_filters_in_force(client, accelerator, cohort):
    client.force_login(official_of(accelerator))
    response = client.get(reverse("cohort_briefing", args=[cohort.pk]) + "?status=at_risk")
    assert response.context["filter_summary"] == [("Status", "at risk")]
    assert len(response.context["rows"]) == 2


@pytest.mark.parametrize("language", ["ar", "ru", "uz", "en"])
def test_chart_coordinates_are_never_localised(client, accelerator, cohort, language):
    """Arabic and Russian write 12,5 for 12.5; an SVG coordinate must stay 12.5 in every language."""
    import re

    official = official_of(accelerator)
    official.preferred_language = language
    official.save()
    client.force_login(official)
    for url in [board_url(cohort), reverse("accelerator_overview", args=[accelerator.slug])]:
        html = client.get(url).content.decode()
        svg = html[html.index("<svg") : html.index("</svg>")]
        values = re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)"', svg)
        assert values
        assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in values), values
        assert 'direction="ltr"' in svg


def test_the_board_pages_its_rows_and_the_exports_carry_them_all(client, accelerator):
    from dashboards.views import PAGE_SIZE

    big = build_cohort(PAGE_SIZE + 7, accelerator=accelerator)
    client.force_login(official_of(accelerator))
    first = client.get(board_url(big, sort="-title"))
    assert len(first.context["rows"]) == PAGE_SIZE
    assert first.context["pages"] == {"next": "?sort=-title&page=2"}
    second = client.get(board_url(big, sort="-title", page=2))
    assert len(second.context["rows"]) == 7
    assert second.context["pages"] == {"previous": "?sort=-title&page=1"}
    assert not {r.id for r in first.context["rows"]} & {r.id for r in second.context["rows"]}
    assert len(client.get(board_url(big, page="999")).context["rows"]) == 7  # the last page
    assert len(client.get(board_url(big, page="x")).context["rows"]) == PAGE_SIZE  # the first page
    # Changing the sort starts again from page 1; the export holds every row.
    headers = {h["key"]: h for h in second.context["headers"]}
    assert "page" not in headers["title"]["href"]
    csv_lines = client.get(reverse("cohort_export_csv", args=[big.pk]) + "?page=2").content.decode().splitlines()
    assert len(csv_lines) == 1 + PAGE_SIZE + 7
