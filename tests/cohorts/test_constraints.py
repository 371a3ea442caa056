"""The database itself refuses rows that break the domain's rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from challenges.models import CheckIn, PhaseTransition, StationTemplate
from members.models import AcceleratorRole, Membership
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CheckInFactory,
    CohortFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def rejected(name: str, build) -> None:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        build()
    assert name in str(caught.value) or "CHECK constraint failed" in str(caught.value) or "UNIQUE" in str(caught.value)


def test_target_must_differ_from_baseline():
    rejected(
        "challenge_target_differs_from_baseline",
        lambda: ChallengeFactory(baseline_value=Decimal("5"), target_value=Decimal("5")),
    )


def test_target_must_lie_in_the_metrics_direction():
    rejected(
        "challenge_target_matches_direction",
        lambda: ChallengeFactory(direction="increase", baseline_value=Decimal("5"), target_value=Decimal("3")),
    )


def test_design_start_must_not_follow_launch():
    rejected(
        "cohort_design_before_launch",
        lambda: CohortFactory(design_start=date(2026, 3, 2), launch_date=date(2026, 3, 1)),
    )


def test_station_offsets_are_not_negative():
    accelerator = AcceleratorFactory(stations=False)
    rejected(
        "station_template_offset_non_negative",
        lambda: StationTemplate.objects.create(accelerator=accelerator, kind="other", name="x", day_offset=-1),
    )


def test_one_team_lead_per_challenge():
    challenge = ChallengeFactory()
    MembershipFactory(challenge=challenge, role=Membership.Role.TEAM_LEAD)
    rejected(
        "membership_one_team_lead_per_challenge",
        lambda: MembershipFactory(challenge=challenge, role=Membership.Role.TEAM_LEAD),
    )


def test_one_transition_per_challenge_and_phase():
    challenge = ChallengeFactory()
    PhaseTransition.objects.create(
        challenge=challenge,
        from_phase="design",
        to_phase="acceleration",
        effective_on=date(2026, 3, 2),
        recorded_at="2026-03-02T00:00Z",
    )
    rejected(
        "phasetransition_pkey",  # the natural key is the primary key
        lambda: PhaseTransition.objects.create(
            challenge=challenge,
            from_phase="design",
            to_phase="acceleration",
            effective_on=date(2026, 3, 3),
            recorded_at="2026-03-03T00:00Z",
        ),
    )


def test_one_checkin_per_period_and_confidence_in_range():
    checkin = CheckInFactory(period=1)
    rejected("checkin_once_per_period", lambda: CheckInFactory(challenge=checkin.challenge, period=1))
    rejected("checkin_confidence_1_to_5", lambda: CheckInFactory(challenge=checkin.challenge, period=2, confidence=6))
    assert CheckIn.objects.count() == 1


def test_withdrawal_needs_a_reason():
    challenge = ChallengeFactory()
    rejected(
        "challenge_withdrawal_has_reason",
        lambda: type(challenge).objects.filter(pk=challenge.pk).update(withdrawn_at="2026-03-02T00:00Z"),
    )


def test_unknown_phase_is_refused():
    rejected("challenge_phase_known", lambda: ChallengeFactory(phase="limbo"))


def test_cohort_scoped_grants_are_only_for_officials():
    cohort = CohortFactory()
    rejected(
        "grant_cohort_scope_only_for_officials",
        lambda: AcceleratorRole.objects.create(
            user=UserFactory(), accelerator=cohort.accelerator, cohort=cohort, role="program_admin"
        ),
    )


def test_launched_cohort_records_when():
    rejected(
        "cohort_launched_has_timestamp",
        lambda: CohortFactory(status="launched", launched_at=None, launch_date=date(2026, 3, 1) + timedelta(days=1)),
    )


def test_cohort_dates_must_be_plausible():
    rejected(
        "cohort_dates_plausible", lambda: CohortFactory(design_start=date(2026, 1, 1), launch_date=date(9999, 12, 31))
    )


def test_the_cohort_form_refuses_implausible_dates_beside_the_field():
    from program_admin.forms import CohortForm

    accelerator = AcceleratorFactory()
    form = CohortForm(
        data={"number": 7, "name": "Far future", "design_start": "2026-01-01", "launch_date": "9999-12-31"},
        accelerator=accelerator,
    )
    assert not form.is_valid()
    assert "launch_date" in form.errors


def test_a_percentage_goal_stays_inside_0_to_100():
    rejected(
        "challenge_target_in_range",
        lambda: ChallengeFactory(
            unit="%", unit_kind="percentage", direction="increase", baseline_value=Decimal("40"), target_value=130
        ),
    )


def test_a_goal_is_not_below_zero_unless_its_lower_bound_says_so():
    rejected(
        "challenge_target_in_range",
        lambda: ChallengeFactory(baseline_value=Decimal("10"), target_value=Decimal("-5")),
    )
    ChallengeFactory(baseline_value=Decimal("10"), target_value=Decimal("-5"), lower_bound=Decimal("-20"))
    rejected(
        "challenge_baseline_in_range",
        lambda: ChallengeFactory(baseline_value=Decimal("10"), target_value=Decimal("5"), upper_bound=Decimal("8")),
    )


def test_bounds_are_in_order_and_the_kind_is_known():
    rejected(
        "challenge_bounds_in_order",
        lambda: ChallengeFactory(
            lower_bound=Decimal("50"), upper_bound=Decimal("50"), baseline_value=50, target_value=50
        ),
    )
    rejected(
        "challenge_unit_kind_known", lambda: ChallengeFactory(unit_kind="furlongs", lower_bound=0, upper_bound=100)
    )


def test_a_candidate_without_numbers_passes_but_one_outside_its_range_does_not():
    from program_admin.models import CandidateChallenge

    accelerator = AcceleratorFactory()
    CandidateChallenge.objects.create(accelerator=accelerator, title="Not yet measured", unit_kind="percentage")
    rejected(
        "candidate_baseline_in_range",
        lambda: CandidateChallenge.objects.create(
            accelerator=accelerator, title="Odd", unit_kind="percentage", baseline_value=Decimal("120")
        ),
    )
