"""Cohorts for the dashboard tests, built set-based so 300 challenges cost a handful of INSERTs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from challenges.models import Challenge, CheckIn, Status
from cohorts.calendar import Phase
from cohorts.models import Cohort, Entity, User
from members.models import AcceleratorRole, Membership
from tests.factories import AcceleratorFactory, CohortFactory, GrantFactory

LAUNCH = date(2026, 3, 1)
# Day 40 of the cohort launched on LAUNCH (noon in Tashkent); tests freeze time here.
NOW = datetime(2026, 4, 10, 7, 0, tzinfo=UTC)
TODAY = date(2026, 4, 10)

STATUS_CYCLE = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.ACHIEVED]


def build_cohort(n: int, *, accelerator=None, checkins: int = 3, cohort=None, titles=None) -> Cohort:
    """A launched cohort at Day 40 with ``n`` challenges, each with a team lead and check-ins."""
    accelerator = accelerator or AcceleratorFactory()
    cohort = cohort or CohortFactory(accelerator=accelerator, launch_date=LAUNCH)
    entities = Entity.objects.bulk_create(
        [Entity(accelerator=accelerator, name=f"Ministry {cohort.pk}-{i}") for i in range(min(n, 5) or 1)]
    )
    titles = titles or [f"Challenge {i:03d}" for i in range(n)]
    challenges = Challenge.objects.bulk_create(
        [
            Challenge(
                cohort=cohort,
                title=titles[i],
                lead_entity=entities[i % len(entities)],
                metric="Waiting time",
                unit="days",
                direction="decrease",
                baseline_value=Decimal("40"),
                target_value=Decimal("20"),
                phase=Phase.ACCELERATION,
                status=STATUS_CYCLE[i % len(STATUS_CYCLE)],
                progress=(i % 11) / 10,
                expected_progress=0.4,
                current_value=Decimal("40") - Decimal(2 * (i % 11)),
                last_checkin_on=TODAY - timedelta(days=i % 12) if checkins else None,
                is_stale=i % 12 > 10,
            )
            for i in range(n)
        ]
    )
    leads = User.objects.bulk_create(
        [
            User(email=f"lead-{cohort.pk}-{i}@example.org", full_name=f"Lead {cohort.pk}-{i}", password="!")
            for i in range(n)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(challenge=challenge, user=lead, role=Membership.Role.TEAM_LEAD)
            for challenge, lead in zip(challenges, leads, strict=True)
        ]
    )
    if checkins and leads:
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    challenge=c,
                    author=leads[0],
                    period=p,
                    reported_on=LAUNCH + timedelta(days=7 * p),
                    value=Decimal("40") - Decimal(p),
                    done="Work",
                    confidence=3,
                )
                for c in challenges
                for p in range(1, checkins + 1)
            ]
        )
    return cohort


def official_of(accelerator, *, cohort=None) -> User:
    return GrantFactory(accelerator=accelerator, cohort=cohort, role=AcceleratorRole.Role.OFFICIAL).user
