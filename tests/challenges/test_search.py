"""Search across every cohort a reader may see, in either script, with a flat query count."""

import pytest
from django.urls import reverse

from members.models import AcceleratorRole, Membership
from tests.factories import ChallengeFactory, CohortFactory, GrantFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def found(client, q):
    response = client.get(reverse("challenge_search"), {"q": q})
    assert response.status_code == 200
    return response.context["results"]


def test_an_official_finds_titles_in_every_cohort_they_see_in_either_script(client):
    first = CohortFactory()
    second = CohortFactory(accelerator=first.accelerator)
    draft = CohortFactory(accelerator=first.accelerator, draft=True)
    elsewhere = CohortFactory()
    a = ChallengeFactory(cohort=first, title="Soliq to'lovlari onlayn")
    b = ChallengeFactory(cohort=second, title="Солиқ имтиёзлари")
    ChallengeFactory(cohort=draft, title="Soliq draft")
    ChallengeFactory(cohort=elsewhere, title="Soliq elsewhere")
    official = GrantFactory(accelerator=first.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    client.force_login(official)
    assert set(found(client, "солиқ")) == {a, b}
    assert set(found(client, "SOLIQ")) == {a, b}
    assert found(client, "солиқ тўловлари") == [a]
    assert found(client, "") == []


def test_a_team_lead_finds_their_own_challenges_only(client):
    mine = ChallengeFactory(title="Нодира's clinic queue")
    ChallengeFactory(cohort=mine.cohort, title="Nodira elsewhere")
    lead = MembershipFactory(challenge=mine, role=Membership.Role.TEAM_LEAD).user
    client.force_login(lead)
    assert found(client, "Nodira") == [mine]
    body = client.get(reverse("challenge_search"), {"q": "Nodira"}).content.decode()
    assert "1 challenge found" in body


def test_the_query_count_does_not_grow_with_the_results(client, django_assert_max_num_queries):
    cohort = CohortFactory()
    official = GrantFactory(accelerator=cohort.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    client.force_login(official)
    ChallengeFactory(cohort=cohort, title="Soliq 0")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        found(client, "soliq")
    for n in range(20):
        ChallengeFactory(cohort=CohortFactory(accelerator=cohort.accelerator), title=f"Солиқ {n}")
    with django_assert_max_num_queries(len(few)):
        assert len(found(client, "soliq")) == 21
