"""The Integrations page: a program admin makes a token (shown once), revokes it, adds a webhook."""

import pytest
from django.urls import reverse

from api.models import ApiToken, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_then_works_then_is_revoked(client, world):
    client.force_login(world.admin)
    url = reverse("api_integrations", args=[world.accelerator.slug])
    response = client.post(url, {"name": "National KPI system", "scope": "write_checkins"})
    assert response.status_code == 200
    plaintext = response.context["issued"].plaintext
    assert plaintext.encode() in response.content
    token = ApiToken.objects.get(name="National KPI system")
    assert plaintext.encode() not in client.get(url).content  # never again
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/cohorts", headers=headers).status_code == 200
    client.post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Refused even beside a session: a request that presents a token is judged by it.
    assert client.get("/api/v1/cohorts", headers=headers).status_code == 401


@pytest.mark.parametrize("data", [{}, {"name": "x\u202ey", "scope": "read"}, {"name": "ok", "scope": "admin"}])
def test_a_bad_token_form_makes_nothing(client, world, data):
    client.force_login(world.admin)
    count = ApiToken.objects.count()
    response = client.post(reverse("api_integrations", args=[world.accelerator.slug]), data)
    assert response.status_code == 200 and response.context["token_form"].errors
    assert ApiToken.objects.count() == count


def test_a_webhook_gets_a_secret_shown_once(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("api_webhook_add", args=[world.accelerator.slug]), {"url": "https://kpi.example.org/hooks"}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.encode() in response.content
    assert endpoint.secret.encode() not in client.get(reverse("api_integrations", args=["uae"])).content
    bad = client.post(reverse("api_webhook_add", args=["uae"]), {"url": "javascript:alert(1)"})
    assert bad.context["webhook_form"].errors and WebhookEndpoint.objects.count() == 1
    client.post(reverse("api_webhook_remove", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.removed_at is not None
