"""One standard world for the access matrix: who is who, and what each URL kwarg points at.

Accelerator A has a launched cohort with challenge X (team lead, member, coach, sponsor) and
challenge Y (another team lead). Accelerator B has its own cohort and program admin. Views that
add a URL kwarg add a line to ``URL_KWARGS`` naming the object of world A it should point at.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from api.models import ApiToken, WebhookEndpoint
from api.tokens import token_create, token_revoke
from challenges.models import Notification
from members.models import AcceleratorRole, Membership
from tests.factories import (
    AcceleratorFactory,
    BlockerFactory,
    CandidateFactory,
    ChallengeFactory,
    CohortFactory,
    GrantFactory,
    ImportJobFactory,
    MembershipFactory,
    StationFactory,
    UserFactory,
)


@dataclass
class World:
    accelerator: object
    other_accelerator: object
    cohort: object
    challenge: object
    other_challenge: object
    people: dict
    # Token role (members.policy.TOKEN_ROLES) → the token to send as "Authorization: Bearer ...".
    tokens: dict = field(default_factory=dict)


def build_world() -> World:
    accelerator = AcceleratorFactory(slug="world-a", name="World A")
    other = AcceleratorFactory(slug="world-b", name="World B")
    cohort = CohortFactory(accelerator=accelerator, launch_date=date(2026, 3, 1))
    CohortFactory(accelerator=other)
    challenge = ChallengeFactory(cohort=cohort, title="Challenge X")
    other_challenge = ChallengeFactory(cohort=cohort, title="Challenge Y")
    people = {"anonymous": None}
    for role, seat in [("member", "member"), ("team_lead", "team_lead"), ("coach", "coach"), ("sponsor", "sponsor")]:
        people[role] = MembershipFactory(challenge=challenge, role=seat).user
    people["team_lead_other"] = MembershipFactory(challenge=other_challenge, role=Membership.Role.TEAM_LEAD).user
    people["official_in_scope"] = GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    people["official_out_of_scope"] = GrantFactory(accelerator=other, role=AcceleratorRole.Role.OFFICIAL).user
    people["admin"] = GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    people["admin_other"] = GrantFactory(accelerator=other, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    people["superuser"] = UserFactory(is_superuser=True, is_staff=True)
    world = World(accelerator, other, cohort, challenge, other_challenge, people)
    world.tokens = build_tokens(world)
    return world


def build_tokens(world: World) -> dict[str, str]:
    admin, admin_other = world.people["admin"], world.people["admin_other"]
    write = ApiToken.Scope.WRITE_CHECKINS
    tokens = {
        "read_token": token_create(accelerator=world.accelerator, by=admin, name="read", scope=ApiToken.Scope.READ),
        "write_token": token_create(accelerator=world.accelerator, by=admin, name="write", scope=write),
        "write_token_other": token_create(accelerator=world.other_accelerator, by=admin_other, name="B", scope=write),
        "revoked_token": token_create(accelerator=world.accelerator, by=admin, name="revoked", scope=write),
    }
    token_revoke(token=tokens["revoked_token"].token)
    # Used a moment ago: the matrix's first request with a token then records no use (once a minute
    # at most), so a refused POST leaves every row, the token's too, as it was.
    ApiToken.objects.update(last_used_at=timezone.now())
    return {role: issued.plaintext for role, issued in tokens.items()}


# URL kwarg name → the object of world A it stands for.
URL_KWARGS = {
    "challenge_id": lambda w: w.challenge.pk,
    "cohort_id": lambda w: w.cohort.pk,
    "slug": lambda w: w.accelerator.slug,
    "blocker_id": lambda w: BlockerFactory(challenge=w.challenge).pk,
    "station_id": lambda w: StationFactory(challenge=w.challenge).pk,
    "notification_id": lambda w: (
        Notification.objects.create(user=w.people["team_lead"], challenge=w.challenge, message="Notification N").pk
    ),
    "candidate_id": lambda w: CandidateFactory(accelerator=w.accelerator).pk,
    "job_id": lambda w: ImportJobFactory(cohort=w.cohort).pk,
    "uidb64": lambda w: "MQ",  # not a real invitation: the page explains the link does not work
    "token": lambda w: "not-a-token",
    "provider_id": lambda w: "world-idp",  # no identity provider is configured in the world: 404
    "token_id": lambda w: ApiToken.objects.get(accelerator=w.accelerator, name="read").pk,
    "endpoint_id": lambda w: (
        WebhookEndpoint.objects.create(
            accelerator=w.accelerator, url="http://127.0.0.1:9/hooks", secret="whsec_test"
        ).pk
    ),
}
