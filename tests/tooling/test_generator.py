"""The data generator: reproducible from a seed, refuses real data, creates what it says."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from challenges.models import Challenge, CheckIn, PhaseTransition, Station
from cohorts.calendar import Phase
from cohorts.models import Accelerator, Cohort, User
from members.models import AcceleratorRole, Membership
from tests.factories import AcceleratorFactory, UserFactory
from tooling.generator import GenerationRefused, cohort_launch_dates, dataset_digest, generate

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 15)
SMALL = {"accelerators": 1, "cohorts": 3, "challenges_per_cohort": 4, "checkins_per_challenge": 5, "people": 30}


class _Rollback(Exception):
    pass


def digest_of_a_run(**options) -> str:
    """Generate into the (empty) test database, fingerprint it, and roll it back."""
    digest = ""
    try:
        with transaction.atomic():
            generate(today=TODAY, progress_stream=StringIO(), **SMALL, **options)
            digest = dataset_digest()
            raise _Rollback
    except _Rollback:
        pass
    assert not Accelerator.objects.exists()
    return digest


def test_it_reproduces_the_same_data_from_the_same_seed():
    first = digest_of_a_run(seed=7)
    second = digest_of_a_run(seed=7)
    assert first == second


def test_it_gives_different_data_for_another_seed():
    assert digest_of_a_run(seed=7) != digest_of_a_run(seed=8)


def test_it_creates_the_requested_counts_and_marks_them_generated():
    result = generate(today=TODAY, seed=1, progress_stream=StringIO(), **SMALL)

    assert Accelerator.objects.filter(is_generated=True).count() == result.accelerators == 1
    assert Cohort.objects.count() == result.cohorts == 3
    assert Challenge.objects.count() == result.challenges == 12
    assert User.objects.filter(is_generated=True).count() == User.objects.count() == result.people == 30
    assert CheckIn.objects.count() == result.checkins
    assert Station.objects.count() == result.stations == 12 * 11
    # The newest cohort is still in design: no check-ins; each older challenge reports weekly, up to
    # the cap, unless its team went quiet (never before its third week).
    newest = Cohort.objects.order_by("-launch_date").first()
    assert not CheckIn.objects.filter(challenge__cohort=newest).exists()
    assert 8 * 3 <= result.checkins <= 8 * 5
    for challenge in Challenge.objects.all():
        seats = list(Membership.objects.filter(challenge=challenge).values_list("role", flat=True))
        assert 8 <= len(seats) <= 12
        assert seats.count("team_lead") == seats.count("coach") == seats.count("sponsor") == 1
    assert AcceleratorRole.objects.filter(role="program_admin").count() == 2


def test_it_leaves_phases_and_transitions_as_the_clock_says():
    generate(today=TODAY, seed=1, progress_stream=StringIO(), **SMALL)

    newest, *older = Cohort.objects.order_by("-launch_date")
    assert set(Challenge.objects.filter(cohort=newest).values_list("phase", flat=True)) == {Phase.DESIGN}
    assert set(Challenge.objects.filter(cohort__in=older).values_list("phase", flat=True)) == {Phase.CLOSED}
    assert PhaseTransition.objects.count() == 8 * 3  # each closed challenge passed three phases
    for challenge in Challenge.objects.filter(cohort__in=older):
        latest = challenge.checkins.order_by("-period").first()
        assert challenge.current_value == latest.value
        assert challenge.last_checkin_on == latest.reported_on


def test_it_spreads_cohorts_over_five_years_with_the_newest_in_design():
    launches = cohort_launch_dates(20, TODAY)
    assert launches == sorted(launches)
    assert launches[-1] > TODAY
    assert (launches[-1] - launches[0]).days >= 5 * 365


def test_it_refuses_a_database_with_real_accelerators():
    AcceleratorFactory()
    with pytest.raises(GenerationRefused):
        generate(today=TODAY, progress_stream=StringIO(), **SMALL)
    assert not Challenge.objects.exists()


def test_it_refuses_a_database_with_real_people_but_not_superusers_only():
    UserFactory(is_superuser=True, is_staff=True)
    generate(today=TODAY, progress_stream=StringIO(), **SMALL)
    UserFactory()
    with pytest.raises(GenerationRefused):
        generate(today=TODAY, progress_stream=StringIO(), **SMALL)


def test_it_adds_to_real_data_when_forced_without_colliding():
    AcceleratorFactory()
    generate(today=TODAY, force=True, progress_stream=StringIO(), **SMALL)
    generate(today=TODAY, force=True, progress_stream=StringIO(), **SMALL)
    assert Accelerator.objects.filter(is_generated=True).count() == 2
    assert Accelerator.objects.filter(is_generated=False).count() == 1


def test_the_command_refuses_without_force_and_reports_counts_with_it():
    AcceleratorFactory()
    args = ["--cohorts=2", "--challenges-per-cohort=3", "--checkins-per-challenge=2", "--people=20"]
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_data", *args, "--today=2026-01-15", stdout=StringIO(), stderr=StringIO())

    out, err = StringIO(), StringIO()
    call_command("generate_data", *args, "--today=2026-01-15", "--force", stdout=out, stderr=err)
    assert "challenges: 6" in out.getvalue()
    assert "100%" in err.getvalue()


def test_the_command_rejects_impossible_sizes():
    with pytest.raises(CommandError):
        call_command("generate_data", "--cohorts=0", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError):
        call_command("generate_data", "--people=3", stdout=StringIO(), stderr=StringIO())
