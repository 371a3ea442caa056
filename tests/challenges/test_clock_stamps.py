"""The clock's set-based SQL and a check-in leave their cohorts' change stamps (``cohorts.CohortChange``,
written by triggers), so the cached cohort pages follow them, on SQLite (the embedded default) as on
PostgreSQL. The stamps' own rules are in ``tests/dashboards/test_cohort_changes.py``."""

from decimal import Decimal

import pytest

from challenges.services import checkin_submit
from cohorts.models import CohortChange
from core import pagecache
from dashboards import selectors
from tests.challenges.journey import make_team, on_day, tick
from tests.factories import ChallengeFactory, CohortFactory

# Each step commits, as the clock and the form do (inside one transaction, PostgreSQL leaves one stamp
# per cohort for all of it; pages are never cached there).
pytestmark = pytest.mark.django_db(transaction=True)


def _stamps(cohort) -> list[tuple[int, int]]:
    return list(CohortChange.objects.filter(cohort_id=cohort.pk).values_list("xact", "weight"))


def test_the_clock_and_a_check_in_stamp_their_cohort_and_no_other():
    team = make_team()
    cohort = team.challenge.cohort
    elsewhere = ChallengeFactory(cohort=CohortFactory()).cohort
    untouched = _stamps(elsewhere)
    before = _stamps(cohort), pagecache.digest(selectors.cohort_sources(cohort))

    team.challenge = tick(team.challenge, on_day(10))  # design → acceleration, in one UPDATE
    moved = _stamps(cohort), pagecache.digest(selectors.cohort_sources(cohort))
    assert moved[0] != before[0] and moved[1] != before[1]

    checkin_submit(
        challenge=team.challenge, by=team.lead, value=Decimal("37"), done="Ещё окно", confidence=4, now=on_day(10)
    )
    posted = _stamps(cohort), pagecache.digest(selectors.cohort_sources(cohort))
    assert posted[0] != moved[0] and posted[1] != moved[1]
    assert _stamps(elsewhere) == untouched
