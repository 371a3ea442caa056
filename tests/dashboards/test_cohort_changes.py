"""The cohorts' change stamps (``cohorts.CohortChange``): what the cohort's and the accelerator's
pages key their cache on instead of a row version of every challenge.

Triggers write them, so every way a row those pages show can change (an ORM save, a raw UPDATE, an
INSERT, a DELETE, a challenge moved to another cohort) stamps its cohort, and a write the pages do
not show (a sponsor's seat) does not. On PostgreSQL a transaction leaves one stamp per cohort
whatever it wrote, two writers never wait on each other's stamp, and merging the stamps never
loses a writer's that was not committed yet. These run on SQLite too (the embedded default)."""

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection, transaction

from challenges.models import Challenge
from cohorts.models import CohortChange, User
from core import pagecache
from dashboards import selectors
from dashboards.stamps import cohort_changes_compact
from journey.artifacts import ArtifactKind
from journey.models import Artifact
from members.models import Membership
from tests.factories import ChallengeFactory, CohortFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="transaction ids: PostgreSQL")


def digest(cohort) -> str:
    return pagecache.digest(selectors.cohort_sources(cohort))


def raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def cohorts():
    """Two cohorts of one accelerator, each with a team: a lead and a sponsor on its first challenge."""
    made = []
    for _ in range(2):
        cohort = CohortFactory()
        challenges = [ChallengeFactory(cohort=cohort) for _ in range(3)]
        MembershipFactory(challenge=challenges[0], role=Membership.Role.TEAM_LEAD)
        MembershipFactory(challenge=challenges[0], role=Membership.Role.SPONSOR)
        made.append(cohort)
    return made


def _lead(cohort) -> User:
    return Membership.objects.get(challenge__cohort=cohort, role=Membership.Role.TEAM_LEAD).user


def _sponsor(cohort) -> User:
    return Membership.objects.get(challenge__cohort=cohort, role=Membership.Role.SPONSOR).user


WRITES = {
    "a challenge saved": lambda k, other: Challenge.objects.filter(cohort=k).first().save(),
    "a raw UPDATE of a challenge": lambda k, other: raw(
        "UPDATE challenges_challenge SET title = title || '!' WHERE cohort_id = %s", k.pk
    ),
    "a challenge added": lambda k, other: ChallengeFactory(cohort=k),
    "a challenge deleted": lambda k, other: Challenge.objects.filter(cohort=k).last().delete(),
    "a team lead seated": lambda k, other: MembershipFactory(
        challenge=Challenge.objects.filter(cohort=k).last(), role=Membership.Role.TEAM_LEAD
    ),
    "a team lead unseated": lambda k, other: Membership.objects.filter(
        challenge__cohort=k, role=Membership.Role.TEAM_LEAD
    ).delete(),
    "a team lead renamed (raw)": lambda k, other: raw(
        "UPDATE cohorts_user SET full_name = 'Новое имя' WHERE id = %s", _lead(k).pk
    ),
    "a landing written": lambda k, other: Artifact.objects.create(
        challenge=Challenge.objects.filter(cohort=k).first(),
        kind=ArtifactKind.LANDING,
        author=_lead(k),
        produced_on=date(2026, 6, 10),
    ),
}
UNSEEN = {
    "a sponsor seated": lambda k: MembershipFactory(
        challenge=Challenge.objects.filter(cohort=k).last(), role=Membership.Role.SPONSOR
    ),
    "a sponsor renamed": lambda k: raw("UPDATE cohorts_user SET full_name = 'Someone' WHERE id = %s", _sponsor(k).pk),
    "a person with no seat renamed": lambda k: UserFactory().save(),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_the_cohort_pages_show_changes_that_cohorts_digest_only(cohorts, write):
    mine, other = cohorts
    before = digest(mine), digest(other)
    WRITES[write](mine, other)
    assert digest(mine) != before[0], write
    assert digest(other) == before[1], f"{write} changed another cohort's pages"


@pytest.mark.parametrize("write", list(UNSEEN))
def test_a_write_those_pages_do_not_show_leaves_them_cached(cohorts, write):
    mine, _other = cohorts
    before = digest(mine)
    UNSEEN[write](mine)
    assert digest(mine) == before, write


def test_a_challenge_moved_to_another_cohort_changes_both(cohorts):
    mine, other = cohorts
    before = digest(mine), digest(other)
    raw(
        "UPDATE challenges_challenge SET cohort_id = %s WHERE id = %s",
        other.pk,
        Challenge.objects.filter(cohort=mine).last().pk,
    )
    assert digest(mine) != before[0] and digest(other) != before[1]


def test_the_digest_reads_no_challenge_whatever_the_size(cohorts):
    """The board's digest reads the cohort's few stamps, never its challenges, seats or people."""
    sql, _params = pagecache.digest_sql(selectors.cohort_sources(cohorts[0]))
    for table in (Challenge, Membership, User, Artifact):
        assert f'"{table._meta.db_table}"' not in sql


@on_postgresql
def test_a_transaction_leaves_one_stamp_per_cohort_whatever_it_wrote(cohorts):
    mine, other = cohorts
    CohortChange.objects.all().delete()
    with transaction.atomic():
        raw("UPDATE challenges_challenge SET title = title || '.' WHERE cohort_id IN (%s, %s)", mine.pk, other.pk)
        raw("UPDATE challenges_challenge SET title = title || '.' WHERE cohort_id = %s", mine.pk)
        ChallengeFactory(cohort=mine)
        lead = _lead(mine)
        lead.full_name = "Renamed"
        lead.save()
    stamps = list(CohortChange.objects.values_list("cohort_id", "weight"))
    assert sorted(stamps) == sorted([(mine.pk, 1), (other.pk, 1)])


def _in_a_thread(work, ready: threading.Event, release: threading.Event, errors: list) -> threading.Thread:
    """``work`` in a transaction of another connection, held open until ``release``."""

    def run():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                work()
                ready.set()
                assert release.wait(30)
        except Exception as exc:  # the test reads it
            errors.append(exc)
            ready.set()
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@on_postgresql
def test_two_writers_of_one_cohort_never_wait_on_each_others_stamp(cohorts):
    mine, _other = cohorts
    first, second = Challenge.objects.filter(cohort=mine).order_by("pk")[:2]
    ready, release, errors = threading.Event(), threading.Event(), []
    holder = _in_a_thread(
        lambda: raw("UPDATE challenges_challenge SET title = 'A' WHERE id = %s", first.pk), ready, release, errors
    )
    assert ready.wait(30) and not errors
    try:
        with transaction.atomic():
            raw("SET LOCAL lock_timeout = '2s'")  # it would wait on the holder's stamp, if they shared one
            raw("UPDATE challenges_challenge SET title = 'B' WHERE id = %s", second.pk)
    finally:
        release.set()
        holder.join(30)
    assert errors == []
    assert CohortChange.objects.filter(cohort_id=mine.pk).count() >= 2


@on_postgresql
def test_merging_keeps_the_weight_and_a_writers_stamp_not_yet_committed(cohorts):
    mine, other = cohorts
    for n in range(3):
        raw("UPDATE challenges_challenge SET title = title || %s WHERE cohort_id = %s", str(n), mine.pk)
    weight = sum(CohortChange.objects.filter(cohort_id=mine.pk).values_list("weight", flat=True))
    before = digest(mine)

    ready, release, errors = threading.Event(), threading.Event(), []
    writer = _in_a_thread(
        lambda: raw("UPDATE challenges_challenge SET title = title || ' late' WHERE cohort_id = %s", mine.pk),
        ready,
        release,
        errors,
    )
    assert ready.wait(30) and not errors
    try:
        assert cohort_changes_compact() >= 1  # the writer's stamp is not committed: not seen, not merged
        merged = list(CohortChange.objects.filter(cohort_id=mine.pk).values_list("weight", flat=True))
        assert merged == [weight]
        after_merge = digest(mine)
        assert after_merge != before  # a new stamp: drawn once more, never served for other data
    finally:
        release.set()
        writer.join(30)
    assert errors == []
    stamps = CohortChange.objects.filter(cohort_id=mine.pk)
    assert stamps.count() == 2 and sum(s.weight for s in stamps) == weight + 1
    assert digest(mine) not in (before, after_merge)  # the late write reached the pages
    assert cohort_changes_compact() >= 1
    assert list(CohortChange.objects.filter(cohort_id=mine.pk).values_list("weight", flat=True)) == [weight + 1]
    assert CohortChange.objects.filter(cohort_id=other.pk).count() == 1


@on_postgresql
def test_merging_drops_the_stamps_of_a_deleted_cohort(cohorts):
    mine, _other = cohorts
    gone = mine.pk
    Challenge.objects.filter(cohort=mine).delete()
    mine.delete()
    assert CohortChange.objects.filter(cohort_id=gone).exists()
    cohort_changes_compact()
    assert not CohortChange.objects.filter(cohort_id=gone).exists()
