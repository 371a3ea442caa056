"""A person signs in through each kind of identity provider, in Chromium, by the labels they read:
a real OpenID Connect provider (oidc-provider), and the UAE PASS and OneID stand-ins."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from members.invitations import invitation_create
from tests.factories import AcceleratorFactory
from tests.identity.conftest import oneid, provider_for, real_oidc, uaepass  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def invited(email: str, name: str):
    accelerator = AcceleratorFactory(slug="sso-a", name="SSO Accelerator")
    invitation = invitation_create(accelerator=accelerator, email=email, full_name=name, by=None)
    return accelerator, invitation.user


def signed_in_as(page, live_server, person):
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name=person.full_name)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_an_invited_person_signs_in_through_a_real_openid_connect_provider(live_server, page, real_oidc):  # noqa: F811
    accelerator, person = invited("layla@gov.example", "Layla Hassan")
    provider_for(
        accelerator, provider="openid_connect", provider_id="gov-id", name="Gov ID", settings={"server_url": real_oidc}
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Gov ID").click()
    # oidc-provider's own development login and consent screens.
    page.get_by_placeholder("Enter any login").fill("layla@gov.example")
    page.get_by_placeholder("and password").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    signed_in_as(page, live_server, person)
    account = SocialAccount.objects.get()
    assert account.user == person and account.provider == "gov-id" and account.uid == "layla@gov.example"


def test_an_invited_person_signs_in_with_uae_pass(live_server, page, uaepass):  # noqa: F811
    accelerator, person = invited("mariam@gov.example", "Mariam Al Ali")
    uaepass.clients["accelerators-test"].redirect_uris.add(f"{live_server.url}/sso/uaepass/login/callback/")
    uaepass.people["mariam@gov.example"] = {
        "uuid": "9f1c2e34-0000-4000-8000-000000000001",
        "firstnameEN": "Mariam",
        "lastnameEN": "Al Ali",
        "firstnameAR": "مريم",
        "lastnameAR": "العلي",
        "fullnameEN": "Mariam Al Ali",
        "email": "mariam@gov.example",
        "userType": "SOP3",
    }
    provider_for(accelerator, provider="uaepass", name="UAE PASS", settings={"server_url": uaepass.url})
    page.goto(f"{live_server.url}/accounts/login/")
    national = page.get_by_role("region", name="With your national digital identity")
    national.get_by_role("button", name="Sign in with UAE PASS").click()
    page.get_by_label("Emirates ID, e-mail or phone").fill("mariam@gov.example")
    page.get_by_role("button", name="Log in").click()
    signed_in_as(page, live_server, person)
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (person, "uaepass", "9f1c2e34-0000-4000-8000-000000000001")
    authorize = next(params for method, path, params in uaepass.requests if path == "/idshub/authorize")
    assert authorize["scope"] == "urn:uae:digitalid:profile:general"
    assert authorize["acr_values"] == "urn:safelayer:tws:policies:authentication:level:low"


def test_an_invited_person_signs_in_with_oneid(live_server, page, oneid):  # noqa: F811
    accelerator, person = invited("dilnoza@gov.example", "Dilnoza Karimova")
    oneid.clients["accelerators-test"].redirect_uris.add(f"{live_server.url}/sso/oneid/login/callback/")
    oneid.people["dilnoza"] = {
        "pin": "30101901234567",
        "sur_name": "KARIMOVA",
        "first_name": "DILNOZA",
        "mid_name": "RUSTAMOVNA",
        "full_name": "KARIMOVA DILNOZA RUSTAMOVNA",
        "email": "dilnoza@gov.example",
        "user_type": "I",
    }
    provider_for(accelerator, provider="oneid", name="OneID", settings={"server_url": oneid.url})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with OneID").click()
    page.get_by_label("Login or PINFL").fill("dilnoza")
    page.get_by_role("button", name="Log in").click()
    signed_in_as(page, live_server, person)
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (person, "oneid", "30101901234567")
    grants = [params["grant_type"] for method, path, params in oneid.requests if "grant_type" in params]
    assert grants == ["one_authorization_code", "one_access_token_identify"]
    method, path, first = oneid.requests[0]
    assert (method, path, first["response_type"]) == ("GET", "/sso/oauth/Authorization.do", "one_code")
