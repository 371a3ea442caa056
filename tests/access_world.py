"""One standard world for the access matrix: who is who, and what each URL kwarg points at.

Accelerator A has a launched cohort with challenge X (team lead, member, coach, sponsor) and
challenge Y (another team lead). Accelerator B has its own cohort and program admin. Views that
add a URL kwarg add a line to ``URL_KWARGS`` naming the object of world A it should point at.
"""

from dataclasses import dataclass
from datetime import date

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
    return World(accelerator, other, cohort, challenge, other_challenge, people)


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
}
