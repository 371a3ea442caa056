"""A challenge with its whole team, and helpers to move its clock: shared by the journey-2 tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from challenges import clock
from challenges.models import Challenge
from members.models import Membership
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory, MembershipFactory

LAUNCH = date(2026, 3, 1)
ZONE = "Asia/Tashkent"


@dataclass
class Team:
    challenge: Challenge
    lead: object
    coach: object
    member: object
    sponsor: object

    @property
    def accelerator(self):
        return self.challenge.cohort.accelerator


def at_local(day: date, hour: int = 12, minute: int = 0, zone: str = ZONE) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def on_day(n: int, hour: int = 12, zone: str = ZONE, launch: date = LAUNCH) -> datetime:
    """Local ``hour`` o'clock on Day ``n`` of a cohort launched on ``launch``."""
    return at_local(launch + timedelta(days=n), hour, zone=zone)


def make_team(
    *,
    direction: str = "decrease",
    baseline: str = "40",
    target: str = "20",
    zone: str = ZONE,
    launch: date = LAUNCH,
    cadence: int = 7,
    sustainment: int = 90,
    **challenge_fields,
) -> Team:
    accelerator = AcceleratorFactory(time_zone=zone, checkin_cadence_days=cadence, sustainment_days=sustainment)
    cohort = CohortFactory(accelerator=accelerator, launch_date=launch, design_start=launch - timedelta(days=30))
    challenge = ChallengeFactory(
        cohort=cohort,
        direction=direction,
        baseline_value=Decimal(baseline),
        target_value=Decimal(target),
        **challenge_fields,
    )
    seats = {
        role: MembershipFactory(challenge=challenge, role=role).user
        for role in (Membership.Role.TEAM_LEAD, Membership.Role.COACH, Membership.Role.MEMBER, Membership.Role.SPONSOR)
    }
    return Team(challenge, seats["team_lead"], seats["coach"], seats["member"], seats["sponsor"])


def tick(challenge: Challenge, now: datetime) -> Challenge:
    """Run the real clock for the challenge's accelerator at ``now``; return the fresh row."""
    clock.clock_tick(now=now, accelerator_ids=[challenge.cohort.accelerator_id], notify=False)
    return Challenge.objects.select_related("cohort__accelerator").get(pk=challenge.pk)
