from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from challenges.models import Challenge, PhaseTransition
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory

pytestmark = pytest.mark.django_db


def test_it_runs_a_cohort_through_the_whole_journey_and_rolls_back():
    cohort = CohortFactory(
        accelerator=AcceleratorFactory(time_zone="Asia/Dubai", sustainment_days=30),
        design_start=date(2026, 2, 20),
        launch_date=date(2026, 3, 1),
        sustainment_days=30,
        draft=True,
    )
    ChallengeFactory(cohort=cohort, title="Shorter visa wait")
    out = StringIO()
    call_command("simulate", cohort.pk, stdout=out)
    text = out.getvalue()

    assert "2026-03-02  Day    1  design → acceleration (from 2026-03-02)  Shorter visa wait" in text
    assert "2026-06-10  Day  101  acceleration → sustainment (from 2026-06-10)  Shorter visa wait" in text
    assert "2026-07-10  Day  131  sustainment → closed (from 2026-07-10)  Shorter visa wait" in text
    assert "station due: sponsor review (1 challenges)" in text
    assert "final phases: closed=1" in text
    assert "rolled back" in text
    assert PhaseTransition.objects.count() == 0
    assert Challenge.objects.get().phase == "design"


def test_commit_keeps_the_result():
    cohort = CohortFactory(launch_date=date(2026, 3, 1), sustainment_days=10)
    ChallengeFactory(cohort=cohort)
    call_command("simulate", cohort.pk, "--commit", "--step", "7", stdout=StringIO())
    assert PhaseTransition.objects.count() == 3


def test_unknown_cohort_is_a_clear_error():
    with pytest.raises(CommandError, match="No cohort with id 999"):
        call_command("simulate", 999)
