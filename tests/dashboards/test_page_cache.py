"""Every page an official opens is drawn once per state of its data (``core.pagecache``), and never
served stale or to the wrong reader: each kind of write (a service, the clock's SQL, an ORM save as
the admin makes, a raw UPDATE, accepting an invitation) changes what is served, and so do the
reader, the language and the local date.

These run outside a test transaction (``transaction=True``), as every GET does: inside one nothing
is cached.
"""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge, CheckIn, Status
from challenges.selectors import challenge_page_sources
from challenges.services import challenge_take_latest_checkin
from cohorts.models import Entity
from core import pagecache
from dashboards import selectors
from members.models import AcceleratorRole, Invitation, Membership
from tests.dashboards.dashboard_data import NOW, build_cohort, official_of
from tests.factories import AcceleratorFactory, CohortFactory, GrantFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The pages that cache, by the URL of a cohort's (the accelerator's pages take the cohort's).
PAGES = {
    "overview": lambda c: reverse("accelerator_overview", args=[c.accelerator.slug]),
    "board": lambda c: reverse("cohort_board", args=[c.pk]),
    "export_csv": lambda c: reverse("cohort_export_csv", args=[c.pk]),
    "export_xlsx": lambda c: reverse("cohort_export_xlsx", args=[c.pk]),
    "briefing": lambda c: reverse("cohort_briefing", args=[c.pk]),
    "cohort_report": lambda c: reverse("cohort_report", args=[c.pk]),
    "accelerator_report": lambda c: reverse("accelerator_report", args=[c.accelerator.slug]),
    "challenge": lambda c: reverse("challenge_detail", args=[first(c).pk]),
}
# What a page of each kind shows of a challenge's row (the CSV holds the values; the others the text).
COHORT_PAGES = ["board", "export_csv", "briefing", "cohort_report", "challenge"]


def first(cohort) -> Challenge:
    return Challenge.objects.filter(cohort=cohort).select_related("cohort").order_by("title").first()


@pytest.fixture
def reader(client):
    with time_machine.travel(NOW, tick=False):
        cache.clear()
        cohort = build_cohort(6)
        client.reader = official_of(cohort.accelerator)
        client.force_login(client.reader)
        yield cohort, client
        cache.clear()


# Drawn for each request, never part of what is cached: the CSP nonce and the CSRF token.
PER_REQUEST = re.compile(rb'nonce="[^"]*"|"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


def body(client, url, **headers) -> bytes:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return PER_REQUEST.sub(b"", response.content)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        body(client, url)
    return len(captured)


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_is_drawn_once_and_then_served_from_the_cache(reader, page):
    cohort, client = reader
    url = PAGES[page](cohort)
    cold, drawn = queries(client, url), body(client, url)
    assert queries(client, url) < cold
    assert body(client, url) == drawn
    assert any(key.startswith(":1:") for key in cache._cache)  # noqa: SLF001


@pytest.mark.parametrize("page", COHORT_PAGES)
def test_a_service_write_changes_what_is_served(reader, page):
    """A check-in posted through the service: its value reaches every page that shows it."""
    cohort, client = reader
    url = PAGES[page](cohort)
    before = body(client, url)
    challenge = first(cohort)
    CheckIn.objects.create(
        challenge=challenge,
        author=Membership.objects.filter(challenge=challenge).first().user,
        period=4,
        reported_on=NOW.date(),
        value="23.75",
        done="Moved",
        confidence=4,
    )
    challenge_take_latest_checkin(challenge=challenge, today=cohort.accelerator.local_today())
    after = body(client, url)
    assert after != before
    if page in ("export_csv", "challenge"):  # the pages that show the value itself
        assert b"23.75" in after


@pytest.mark.parametrize("page", [*COHORT_PAGES, "overview", "accelerator_report"])
def test_the_clocks_sql_changes_what_is_served(reader, page):
    cohort, client = reader
    url = PAGES[page](cohort)
    before = body(client, url)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Challenge._meta.db_table} SET status = %s, withdrawn_at = NULL WHERE cohort_id = %s",
            [Status.ACHIEVED, cohort.pk],
        )
    assert body(client, url) != before


@pytest.mark.parametrize("page", COHORT_PAGES)
def test_an_orm_save_of_a_related_row_changes_what_is_served(reader, page):
    """As the admin saves it: the lead entity's name, shown beside each challenge."""
    cohort, client = reader
    url = PAGES[page](cohort)
    body(client, url)
    entity = first(cohort).lead_entity
    entity.name = "Ministry of Renamed Things"
    entity.save()
    assert b"Ministry of Renamed Things" in body(client, url)


def test_a_raw_update_of_a_checkin_changes_the_challenge_page(reader):
    """Past every service: the check-in's value written by SQL reaches the chart and history. (The
    cohort's pages count check-ins through their challenge row, which every check-in write rewrites.)"""
    cohort, client = reader
    url = PAGES["challenge"](cohort)
    before = body(client, url)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CheckIn._meta.db_table} SET value = 31.5 WHERE challenge_id IN "
            f"(SELECT id FROM {Challenge._meta.db_table} WHERE cohort_id = %s)",
            [cohort.pk],
        )
    assert body(client, url) != before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin is PostgreSQL's")
def test_an_update_that_changes_no_value_changes_the_digest(reader):
    cohort, _client = reader
    challenge = first(cohort)
    sources = {
        "cohort": selectors.cohort_sources(cohort),
        "challenge": challenge_page_sources(challenge, reader_id=0),
    }
    for table, pages in [(Challenge, sources), (CheckIn, ["challenge"]), (Membership, sources), (Entity, sources)]:
        before = {name: pagecache.digest(sources[name]) for name in pages}
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table._meta.db_table} SET id = id")
        after = {name: pagecache.digest(sources[name]) for name in pages}
        assert all(after[name] != before[name] for name in pages), table


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_digest_is_planned_once_per_connection_and_still_sees_every_write(reader):
    """The challenge page's digest binds its ids in the server, so its text is one for every challenge:
    psycopg prepares it on the connection after a few runs (settings: DATABASE_PREPARED_STATEMENTS),
    and from then on it runs from that plan, for any challenge, and still sees a write."""
    cohort, _client = reader
    challenges = list(Challenge.objects.filter(cohort=cohort).select_related("cohort").order_by("pk"))

    def digests() -> list[str]:
        return [pagecache.digest(challenge_page_sources(c, reader_id=0)) for c in challenges]

    def prepared() -> list[tuple[int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%challenges_checkinrevision%"],
            )
            return cursor.fetchall()

    def bound_in_the_client(challenge) -> str:  # the same statement as Django sends any other: never prepared
        sql, params = pagecache.digest_sql(challenge_page_sources(challenge, reader_id=0))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return hashlib.sha256(cursor.fetchone()[0].encode()).hexdigest()

    first_round = digests()
    assert digests() == first_round == [bound_in_the_client(c) for c in challenges]
    [(generic, custom)] = prepared()  # one statement prepared, whichever challenge it was asked about
    with connection.cursor() as cursor:
        cursor.execute("UPDATE challenges_checkin SET id = id WHERE challenge_id = %s", [challenges[0].pk])
    after = digests()
    assert after[0] != first_round[0] and after[1:] == first_round[1:]
    assert after == [bound_in_the_client(c) for c in challenges]
    [(generic_later, custom_later)] = prepared()
    assert generic_later + custom_later == generic + custom + len(challenges)


@pytest.mark.parametrize("page", ["board", "briefing", "export_csv", "challenge"])
def test_accepting_an_invitation_shows_the_accounts_own_name(reader, page):
    """Someone only invited is shown as the admin typed them; once they accept, as they are."""
    cohort, client = reader
    url = PAGES[page](cohort)
    lead = Membership.objects.filter(challenge=first(cohort)).first().user
    invitation = Invitation.objects.create(accelerator=cohort.accelerator, user=lead, full_name="Typed Name")
    shown = body(client, url)
    assert b"Typed Name" in shown and lead.full_name.encode() not in shown
    invitation.accepted_at = timezone.now()
    invitation.save()
    shown = body(client, url)
    assert lead.full_name.encode() in shown and b"Typed Name" not in shown


@pytest.mark.parametrize("page", ["overview", "accelerator_report"])
def test_a_reader_never_gets_another_readers_cohorts(reader, page):
    cohort, client = reader
    other = build_cohort(2, accelerator=cohort.accelerator, cohort=CohortFactory(accelerator=cohort.accelerator))
    url = PAGES[page](cohort)
    everything = body(client, url)
    narrow = GrantFactory(accelerator=cohort.accelerator, cohort=other, role=AcceleratorRole.Role.OFFICIAL).user
    client.force_login(narrow)
    mine = body(client, url)
    assert mine != everything
    assert cohort.name.encode() in everything and cohort.name.encode() not in mine


def test_a_reader_on_the_challenge_page_sees_their_own_name(reader):
    """The official sees an invitee as typed; the invitee, signed in, sees themselves."""
    cohort, client = reader
    challenge = first(cohort)
    url = PAGES["challenge"](cohort)
    sponsor = Membership.objects.filter(challenge=challenge).first().user
    Membership.objects.filter(challenge=challenge).update(role=Membership.Role.SPONSOR)  # reads, never posts
    Invitation.objects.create(accelerator=cohort.accelerator, user=sponsor, full_name="Typed Name")
    assert b"Typed Name" in body(client, url)
    client.force_login(sponsor)
    assert sponsor.full_name.encode() in body(client, url)


def test_a_team_lead_gets_the_page_with_its_forms_drawn_for_them(reader):
    cohort, client = reader
    challenge = first(cohort)
    url = PAGES["challenge"](cohort)
    assert b'action="' + reverse("checkin_post", args=[challenge.pk]).encode() not in body(client, url)
    client.force_login(Membership.objects.filter(challenge=challenge).first().user)
    assert reverse("checkin_post", args=[challenge.pk]).encode() in body(client, url)


@pytest.mark.parametrize("page", ["board", "briefing", "cohort_report", "overview", "challenge"])
def test_the_language_and_the_local_date_make_their_own_page(reader, page):
    cohort, client = reader
    url = PAGES[page](cohort)
    english = body(client, url)
    client.cookies["django_language"] = "ar"
    arabic = body(client, url)
    assert arabic != english and b'dir="rtl"' in arabic
    client.cookies["django_language"] = "en"
    assert body(client, url) == english
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        client.force_login(client.reader)  # the session of yesterday has timed out
        assert body(client, url) != english


def test_the_board_is_keyed_once_whatever_the_pages_sharing_it(reader):
    """The board and its exports share the board's query string rule: junk is drawn, never kept."""
    cohort, client = reader
    for page in ["export_csv", "briefing"]:
        cache.clear()
        body(client, PAGES[page](cohort) + "?x=1")
        body(client, PAGES[page](cohort) + "?status=bogus")
        assert list(cache._cache) == []  # noqa: SLF001


def test_the_digest_is_one_query_whatever_the_size():
    accelerator = AcceleratorFactory()
    small, large = build_cohort(5, accelerator=accelerator), build_cohort(60, accelerator=accelerator, checkins=5)
    for cohort in (small, large):
        challenge = first(cohort)
        with CaptureQueriesContext(connection) as captured:
            pagecache.digest(selectors.cohort_sources(cohort))
            pagecache.digest(challenge_page_sources(challenge, reader_id=0))
        assert len(captured) == 2


@pytest.mark.parametrize("first_reader", ["admin", "official"])
def test_the_challenge_page_of_an_admin_and_of_an_official_are_never_swapped(reader, first_reader):
    """An admin's challenge page links to its change history; an official's does not. Whoever opens
    it first, the other never gets their page (found reading the cached content's template)."""
    cohort, client = reader
    url = PAGES["challenge"](cohort)
    history = reverse("challenge_history", args=[first(cohort).pk]).encode()
    admin = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    readers = {"admin": admin, "official": client.reader}
    order = [first_reader, *(name for name in readers if name != first_reader)]
    for name in order * 2:  # drawn, then from the cache
        client.force_login(readers[name])
        shown = body(client, url)
        assert (history in shown) == (name == "admin"), f"{name} after {order[0]}"


@pytest.mark.parametrize("page", ["board", "briefing", "export_csv"])
def test_the_cohort_pages_follow_their_team_leads_and_no_other_seat(reader, page):
    """These pages name a team's lead and nobody else on it: a sponsor seated or renamed leaves the
    drawn page served (its seats are not read), the team lead renamed reaches the page."""
    from tests.factories import MembershipFactory

    cohort, client = reader
    url = PAGES[page](cohort)
    body(client, url)
    challenge = first(cohort)
    sponsor = MembershipFactory(challenge=challenge, role=Membership.Role.SPONSOR).user
    sponsor.full_name = "Sponsor Renamed"
    sponsor.save()
    assert queries(client, url) <= 6  # from the cache, as before the sponsor's seat
    lead = Membership.objects.get(challenge=challenge, role=Membership.Role.TEAM_LEAD).user
    lead.full_name = "Лидер Переименован"
    lead.save()
    assert "Лидер Переименован".encode() in body(client, url)
