"""Factories for the domain: each builds a valid row with sensible defaults."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from challenges.models import Blocker, Challenge, CheckIn, Station, StationTemplate
from challenges.services import accelerator_install_default_stations
from cohorts.models import Accelerator, Cohort, Entity, User
from members.models import AcceleratorRole, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AcceleratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accelerator
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Accelerator {n}")
    slug = factory.Sequence(lambda n: f"accelerator-{n}")
    country = "UZ"
    time_zone = "Asia/Tashkent"
    default_language = "en"

    @factory.post_generation
    def stations(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            accelerator_install_default_stations(accelerator=obj)


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    accelerator = factory.SubFactory(AcceleratorFactory)
    name = factory.Sequence(lambda n: f"Ministry {n}")


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    accelerator = factory.SubFactory(AcceleratorFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Cohort {n + 1}")
    design_start = date(2026, 1, 1)
    launch_date = date(2026, 3, 1)
    sustainment_days = factory.LazyAttribute(lambda o: o.accelerator.sustainment_days)
    status = Cohort.Status.LAUNCHED
    launched_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=Cohort.Status.DRAFT, launched_at=None)


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Challenge {n}")
    lead_entity = factory.SubFactory(EntityFactory, accelerator=factory.SelfAttribute("..cohort.accelerator"))
    metric = "Waiting time"
    unit = "days"
    direction = "decrease"
    baseline_value = Decimal("40")
    baseline_period = "2025"
    target_value = Decimal("20")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    challenge = factory.SubFactory(ChallengeFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcceleratorRole

    user = factory.SubFactory(UserFactory)
    accelerator = factory.SubFactory(AcceleratorFactory)
    role = AcceleratorRole.Role.OFFICIAL


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    challenge = factory.SubFactory(ChallengeFactory)
    author = factory.SubFactory(UserFactory)
    period = factory.Sequence(lambda n: n + 1)
    reported_on = date(2026, 3, 8)
    value = Decimal("35")
    done = "Met the team"
    confidence = 3


class BlockerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Blocker

    challenge = factory.SubFactory(ChallengeFactory)
    raised_by = factory.SubFactory(UserFactory)
    description = "Waiting for the data-sharing agreement"
    severity = Blocker.Severity.MEDIUM


class StationFactory(factory.django.DjangoModelFactory):
    """A station of the challenge's accelerator template (the first one of ``kind``)."""

    class Meta:
        model = Station

    challenge = factory.SubFactory(ChallengeFactory)
    kind = StationTemplate.Kind.SPONSOR_REVIEW
    template = factory.LazyAttribute(
        lambda o: StationTemplate.objects.filter(accelerator=o.challenge.cohort.accelerator, kind=o.kind).first()
    )
    due_on = factory.LazyAttribute(lambda o: o.challenge.cohort.launch_date + timedelta(days=28))


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "program_admin.CandidateChallenge"

    accelerator = factory.SubFactory(AcceleratorFactory)
    title = factory.Sequence(lambda n: f"Candidate {n}")
    score_clear_goal = 4
    score_touches_lives = 5
    score_several_organisations = 3
    score_achievable = 4


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "program_admin.ImportJob"

    cohort = factory.SubFactory(CohortFactory)
    file_name = "challenges.csv"
    state = "failed"
