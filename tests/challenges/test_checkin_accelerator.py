"""A check-in stores its challenge's accelerator (``CheckIn.accelerator``): filled however it is made,
and kept true when the admin moves a challenge, or a check-in, to another accelerator."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from challenges.models import CheckIn
from challenges.services import checkin_submit
from tests.api.conftest import build_api_world
from tests.challenges.journey import make_team, on_day, tick
from tests.factories import ChallengeFactory, CheckInFactory, CohortFactory, UserFactory

pytestmark = pytest.mark.django_db


def _accelerators(*checkins) -> list[tuple[int, int]]:
    rows = CheckIn.objects.filter(pk__in=[c.pk for c in checkins]).select_related("challenge__cohort")
    return sorted((row.accelerator_id, row.challenge.cohort.accelerator_id) for row in rows)


def test_it_is_filled_by_the_form_the_factory_and_bulk_create():
    team = make_team()
    team.challenge = tick(team.challenge, on_day(10))
    posted = checkin_submit(
        challenge=team.challenge,
        by=team.lead,
        value=Decimal("37"),
        done="A second counter",
        confidence=4,
        now=on_day(10),
    ).checkin
    made = CheckInFactory(challenge=ChallengeFactory(cohort=team.challenge.cohort), period=1)
    elsewhere = ChallengeFactory()  # another accelerator's
    bulk = CheckIn.objects.bulk_create(
        [
            CheckIn(
                challenge=c,
                author=team.lead,
                period=3,
                reported_on=on_day(10).date(),
                value=Decimal("30"),
                done="Bulk",
                confidence=3,
            )
            for c in (team.challenge, elsewhere)
        ]
    )
    pairs = _accelerators(posted, made, *bulk)
    assert len(pairs) == 4 and all(stored == owner for stored, owner in pairs)
    assert {stored for stored, _owner in pairs} == {
        team.challenge.cohort.accelerator_id,
        elsewhere.cohort.accelerator_id,
    }


def _admin_post(client, url, **changes):
    """The admin's change form posted back as it was drawn, with ``changes`` (inlines included)."""
    context = client.get(url).context
    form = context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data |= {management.add_prefix(name): management[name].value() for name in management.fields}
        for row in formset.forms:
            data |= {row.add_prefix(name): row[name].value() for name in row.fields}
    data |= changes
    flat = {}
    for name, value in data.items():
        if value is None:
            continue
        flat[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return client.post(url, flat)


def test_a_challenge_moved_to_another_accelerators_cohort_takes_its_checkins_along(client):
    """The admin moves a challenge between accelerators: its check-ins leave the first token's list
    and reach the second's."""
    world = build_api_world()
    challenge = world.challenges[0]
    today = world.accelerator.local_today()
    CheckInFactory(challenge=challenge, period=1, reported_on=today)
    target = CohortFactory(
        accelerator=world.other, launch_date=today - timedelta(days=10), design_start=today - timedelta(days=40)
    )
    read, other = world.headers("read"), world.headers("other")
    assert client.get("/api/v1/checkins", headers=read).json()["count"] == 1
    assert client.get("/api/v1/checkins", headers=other).json()["count"] == 0

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = _admin_post(client, reverse("admin:challenges_challenge_change", args=[challenge.pk]), cohort=target.pk)
    assert response.status_code == 302, response.content.decode()[:3000]

    assert CheckIn.objects.get(challenge=challenge).accelerator_id == world.other.pk
    client.logout()
    assert client.get("/api/v1/checkins", headers=read).json()["count"] == 0
    assert [c["challenge_id"] for c in client.get("/api/v1/checkins", headers=other).json()["results"]] == [
        challenge.pk
    ]


def test_a_checkin_moved_to_another_accelerators_challenge_in_the_admin_follows_it(client):
    team = make_team()
    with time_machine.travel(on_day(10), tick=False):
        checkin = CheckInFactory(challenge=team.challenge, period=1, author=team.lead)
        elsewhere = ChallengeFactory()
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        url = reverse("admin:challenges_checkin_change", args=[checkin.pk])
        response = _admin_post(client, url, challenge=elsewhere.pk, next_steps="")
    assert response.status_code == 302, response.content.decode()[:3000]
    checkin.refresh_from_db()
    assert (checkin.challenge_id, checkin.accelerator_id) == (elsewhere.pk, elsewhere.cohort.accelerator_id)
