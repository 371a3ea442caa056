"""The rules around single sign-on: passwords switched off per accelerator, the lockout, history,
and the program admins' settings page."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from identity import rules
from identity.models import SignInSettings
from members.invitations import invitation_create
from members.models import AcceleratorRole
from tests.factories import AcceleratorFactory, GrantFactory, UserFactory
from tests.identity.conftest import idp_sign_in, local_path, provider_for

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 2026"


def person_with_password(**kwargs):
    person = UserFactory(**kwargs)
    person.set_password(PASSWORD)
    person.save()
    return person


def password_sign_in(client, person):
    return client.post(reverse("login"), {"username": person.email, "password": PASSWORD})


def test_passwords_off_refuses_a_password_with_a_translated_pointer_to_the_provider(client):
    accelerator = AcceleratorFactory()
    SignInSettings.objects.create(accelerator=accelerator, passwords_off=True)
    person = person_with_password()
    GrantFactory(user=person, accelerator=accelerator)
    response = password_sign_in(client, person)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "signs people in through its identity provider only" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = password_sign_in(client, person)
    assert "_auth_user_id" not in client.session
    assert "только через" in response.content.decode()  # Russian: "only through" its provider


def test_a_password_still_works_while_one_of_the_persons_accelerators_allows_it(client):
    off, on = AcceleratorFactory(), AcceleratorFactory()
    SignInSettings.objects.create(accelerator=off, passwords_off=True)
    person = person_with_password()
    GrantFactory(user=person, accelerator=off)
    invitation_create(accelerator=on, email=person.email, by=None)
    assert password_sign_in(client, person).status_code == 302


def test_superusers_and_people_of_no_accelerator_keep_their_passwords(client):
    accelerator = AcceleratorFactory()
    SignInSettings.objects.create(accelerator=accelerator, passwords_off=True)
    admin = person_with_password(is_superuser=True, is_staff=True)
    GrantFactory(user=admin, accelerator=accelerator)
    assert password_sign_in(client, admin).status_code == 302
    client.logout()
    assert rules.password_sign_in_allowed(person_with_password())


@pytest.fixture
def linked(issuer):
    accelerator = AcceleratorFactory()
    provider_for(
        accelerator,
        provider="openid_connect",
        provider_id="stand-in",
        name="Gov ID",
        settings={"server_url": issuer.url},
    )
    issuer.people["sara@gov.example"] = {"sub": "s-1", "email": "sara@gov.example", "email_verified": True}
    issuer.people["stranger@else.example"] = {"sub": "s-2", "email": "stranger@else.example", "email_verified": True}
    invitation = invitation_create(accelerator=accelerator, email="sara@gov.example", full_name="Sara", by=None)
    return accelerator, invitation.user


def oidc_round_trip(client, login, **extra):
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "stand-in"}), **extra)
    if start.status_code != 302:
        return start
    return client.get(local_path(idp_sign_in(start["Location"], login)), **extra)


def test_signing_in_through_a_provider_writes_no_history_row_but_records_last_login(client, linked):
    _, person = linked
    assert oidc_round_trip(client, "sara@gov.example").status_code == 302  # the first time links the identity
    client.logout()
    rows = person.history.count()
    for _ in range(2):
        assert oidc_round_trip(client, "sara@gov.example").status_code == 302
        client.logout()
    person.refresh_from_db()
    assert person.last_login is not None and person.history.count() == rows


def test_the_session_ends_with_the_browser_as_for_passwords(client, linked):
    oidc_round_trip(client, "sara@gov.example")
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=0)
def test_refused_provider_sign_ins_count_for_the_lockout_and_a_paused_address_cannot_use_a_provider(client, linked):
    from django.core.cache import cache

    cache.clear()
    address = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(2):
        assert oidc_round_trip(client, "stranger@else.example", **address).status_code == 403
    assert oidc_round_trip(client, "stranger@else.example", **address).status_code == 429  # the third pauses
    response = oidc_round_trip(client, "sara@gov.example", **address)
    assert response.status_code == 429  # paused, even for an invited person
    assert "_auth_user_id" not in client.session and SocialAccount.objects.count() == 0
    assert oidc_round_trip(client, "sara@gov.example", REMOTE_ADDR="198.51.100.1").status_code == 302
    cache.clear()


def test_the_settings_page_saves_providers_domains_and_passwords(client, issuer):
    accelerator = AcceleratorFactory()
    app = provider_for(AcceleratorFactory(), provider="uaepass", name="UAE PASS", settings={"server_url": issuer.url})
    admin = UserFactory()
    GrantFactory(user=admin, accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN)
    client.force_login(admin)
    url = reverse("identity_settings", kwargs={"slug": accelerator.slug})
    page = client.get(url)
    assert page.status_code == 200 and "UAE PASS" in page.content.decode()
    refused = client.post(url, {"providers": [app.pk], "allowed_domains": "not a domain"})
    assert refused.status_code == 200 and "is not an e-mail domain" in refused.content.decode()
    assert not SignInSettings.objects.get(accelerator=accelerator).providers.exists()
    saved = client.post(
        url, {"providers": [app.pk], "passwords_off": "on", "allowed_domains": "gov.example, @moh.example"}
    )
    assert saved.status_code == 302
    row = SignInSettings.objects.get(accelerator=accelerator)
    assert list(row.providers.all()) == [app] and row.passwords_off and row.domains == {"gov.example", "moh.example"}
    assert row.history.count() >= 1


def test_the_sign_in_page_shows_uae_pass_apart_and_one_button_per_provider(client, issuer):
    accelerator = AcceleratorFactory()
    provider_for(accelerator, provider="uaepass", name="UAE PASS", settings={"server_url": issuer.url})
    provider_for(
        accelerator,
        provider="openid_connect",
        provider_id="stand-in",
        name="Gov ID",
        settings={"server_url": issuer.url},
    )
    page = client.get(reverse("login"))
    html = page.content.decode()
    national = html.index("With your national digital identity")
    local = html.index('name="password"')
    assert national < html.index("Sign in with UAE PASS") < local < html.index("Sign in with Gov ID")
    assert html.count("Sign in with ") == 2
    assert issuer.url in page["Content-Security-Policy"]  # form-action lets the buttons reach the providers
    assert get_user_model().objects.count() == 0


def test_a_get_of_a_login_url_shows_allauths_continue_page_in_our_frame_and_language(client, issuer):
    provider_for(AcceleratorFactory(), provider="uaepass", name="UAE PASS", settings={"server_url": issuer.url})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(reverse("uaepass_login"))
    html = page.content.decode()
    assert page.status_code == 200 and 'dir="rtl"' in html
    assert 'href="/accounts/login/"' in html  # our header, not allauth's bare layout
    assert "Continue" not in html and "UAE PASS" in html  # allauth's words, in Arabic
    assert issuer.url in page["Content-Security-Policy"]
    assert not issuer.requests  # nothing was sent to the provider by a GET


def test_passwords_cannot_be_switched_off_without_a_provider_and_the_page_says_none_is_set_up(client):
    # Found by walking the page on the demo, which has no provider: one tick of "Passwords switched
    # off" and Save would have locked every person of the accelerator out.
    accelerator = AcceleratorFactory()
    admin = UserFactory()
    GrantFactory(user=admin, accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN)
    client.force_login(admin)
    url = reverse("identity_settings", kwargs={"slug": accelerator.slug})
    assert "No identity provider is set up on this platform yet" in client.get(url).content.decode()
    refused = client.post(url, {"passwords_off": "on", "allowed_domains": ""})
    assert refused.status_code == 200
    assert "Choose at least one identity provider before switching passwords off" in refused.content.decode()
    assert not SignInSettings.objects.filter(accelerator=accelerator, passwords_off=True).exists()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = client.post(url, {"passwords_off": "on", "allowed_domains": ""}).content.decode()
    assert "Choose at least one identity provider" not in arabic and 'dir="rtl"' in arabic
