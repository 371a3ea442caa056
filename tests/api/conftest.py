"""An accelerator in the middle of its 100 days, with tokens, for the API's tests."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from api.models import ApiToken
from api.tokens import token_create
from challenges.clock import clock_tick
from members.models import AcceleratorRole, Membership
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory, GrantFactory, MembershipFactory


@dataclass
class ApiWorld:
    accelerator: object
    other: object
    cohort: object
    draft: object
    challenges: list
    admin: object
    lead: object
    tokens: dict = field(default_factory=dict)

    def headers(self, role: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def build_api_world(*, challenges: int = 2) -> ApiWorld:
    accelerator = AcceleratorFactory(slug="uae", name="UAE", time_zone="Asia/Dubai")
    other = AcceleratorFactory(slug="uz", name="Uzbekistan", time_zone="Asia/Tashkent")
    today = accelerator.local_today()
    launch = today - timedelta(days=10)
    cohort = CohortFactory(accelerator=accelerator, launch_date=launch, design_start=launch - timedelta(days=30))
    draft = CohortFactory(accelerator=accelerator, draft=True, launch_date=today + timedelta(days=30))
    CohortFactory(accelerator=other, launch_date=launch, design_start=launch - timedelta(days=30))
    rows = [ChallengeFactory(cohort=cohort, title=f"Challenge {n:03d}") for n in range(challenges)]
    ChallengeFactory(cohort=draft, title="A draft's challenge")
    admin = GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    other_admin = GrantFactory(accelerator=other, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    lead = MembershipFactory(challenge=rows[0], role=Membership.Role.TEAM_LEAD).user
    clock_tick()
    write = ApiToken.Scope.WRITE_CHECKINS
    tokens = {
        "read": token_create(accelerator=accelerator, by=admin, name="read", scope=ApiToken.Scope.READ),
        "write": token_create(accelerator=accelerator, by=admin, name="write", scope=write),
        "other": token_create(accelerator=other, by=other_admin, name="other", scope=write),
    }
    for row in rows:
        row.refresh_from_db()
    return ApiWorld(
        accelerator, other, cohort, draft, rows, admin, lead, {role: t.plaintext for role, t in tokens.items()}
    )


@pytest.fixture
def world(db):
    return build_api_world()
