"""Factories for the domain: each builds a valid row with sensible defaults."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from challenges.models import Challenge, CheckIn, Membership
from cohorts.models import Accelerator, AcceleratorRole, Cohort, Entity, User
from cohorts.services import accelerator_install_default_stations


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
