"""UAE PASS and OneID through allauth against their stand-ins: the requests follow the public
descriptions, and a replayed state, a wrong client, an error answer or a stranger is refused with
nothing created and a translated message."""

from __future__ import annotations

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse

from members.invitations import invitation_create
from tests.factories import AcceleratorFactory
from tests.identity.conftest import idp_sign_in, local_path, provider_for

pytestmark = pytest.mark.django_db

UAE_PERSON = {
    "uuid": "4a5b6c7d-0000-4000-8000-00000000000a",
    "firstnameEN": "Hamad",
    "lastnameEN": "Al Mansoori",
    "firstnameAR": "حمد",
    "lastnameAR": "المنصوري",
    "fullnameEN": "Hamad Al Mansoori",
    "email": "hamad@gov.example",
    "userType": "SOP2",
}
ONEID_PERSON = {
    "pin": "31212851234567",
    "sur_name": "TOSHMATOV",
    "first_name": "BOBUR",
    "mid_name": "ALISHEROVICH",
    "email": "bobur@gov.example",
}


def rows():
    return (get_user_model().objects.count(), SocialAccount.objects.count())


def round_trip(client, provider: str, login: str):
    start = client.post(reverse(f"{provider}_login"))
    assert start.status_code == 302, start.content
    callback = idp_sign_in(start["Location"], login)
    return client.get(local_path(callback)), start["Location"], callback


@pytest.fixture
def uae(uaepass):
    accelerator = AcceleratorFactory()
    app = provider_for(accelerator, provider="uaepass", name="UAE PASS", settings={"server_url": uaepass.url})
    uaepass.people["hamad@gov.example"] = dict(UAE_PERSON)
    person = invitation_create(accelerator=accelerator, email="hamad@gov.example", by=None).user
    return app, person


@pytest.fixture
def one(oneid):
    accelerator = AcceleratorFactory()
    app = provider_for(accelerator, provider="oneid", name="OneID", settings={"server_url": oneid.url})
    oneid.people["bobur"] = dict(ONEID_PERSON)
    person = invitation_create(accelerator=accelerator, email="bobur@gov.example", by=None).user
    return app, person


def test_uae_pass_signs_in_the_invited_person_with_its_uuid(client, uae, uaepass):
    app, person = uae
    response, authorize, _ = round_trip(client, "uaepass", "hamad@gov.example")
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == person.pk
    assert SocialAccount.objects.get().uid == UAE_PERSON["uuid"]
    token = next(params for method, path, params in uaepass.requests if path == "/idshub/token")
    assert token["grant_type"] == "authorization_code" and "client_secret" not in token  # HTTP Basic instead


def test_uae_pass_an_unverified_sop1_account_is_not_matched(client, uae, uaepass):
    uaepass.people["hamad@gov.example"]["userType"] = "SOP1"
    before = rows()
    response, _, _ = round_trip(client, "uaepass", "hamad@gov.example")
    assert response.status_code == 403 and rows() == before


def test_uae_pass_a_replayed_state_is_refused(client, uae, uaepass):
    response, _, callback = round_trip(client, "uaepass", "hamad@gov.example")
    assert response.status_code == 302
    client.logout()
    before = rows()
    assert client.get(local_path(callback)).status_code == 400
    assert rows() == before and "_auth_user_id" not in client.session


def test_uae_pass_a_wrong_client_secret_is_refused(client, uae, uaepass):
    app, _ = uae
    app.secret = "not-the-secret"
    app.save()
    before = rows()
    response, _, _ = round_trip(client, "uaepass", "hamad@gov.example")
    assert response.status_code == 400 and "Signing in did not succeed" in response.content.decode()
    assert rows() == before


def test_uae_pass_an_error_answer_is_refused(client, uae, uaepass):
    before = rows()
    response, _, _ = round_trip(client, "uaepass", "nobody@uaepass.example")  # UAE PASS says access_denied
    assert response.status_code == 400 and rows() == before and "_auth_user_id" not in client.session


def test_uae_pass_without_acr_values_is_refused_by_uae_pass(client, uae, uaepass):
    app, _ = uae
    app.settings = {**app.settings, "acr_values": ""}
    app.save()
    before = rows()
    response, authorize, _ = round_trip(client, "uaepass", "hamad@gov.example")
    assert response.status_code == 400 and rows() == before


def test_uae_pass_a_stranger_is_refused(client, uae, uaepass):
    uaepass.people["x@else.example"] = {**UAE_PERSON, "uuid": "other", "email": "x@else.example"}
    before = rows()
    response, _, _ = round_trip(client, "uaepass", "x@else.example")
    assert response.status_code == 403 and rows() == before


def test_oneid_signs_in_the_invited_person_with_its_pin(client, one, oneid):
    app, person = one
    response, authorize, _ = round_trip(client, "oneid", "bobur")
    assert "response_type=one_code" in authorize
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == person.pk
    assert SocialAccount.objects.get().uid == ONEID_PERSON["pin"]


def test_oneid_claim_names_are_configurable(client, one, oneid):
    app, person = one
    app.settings = {**app.settings, "claims": {"uid": "user_id", "email": "e_mail"}}
    app.save()
    oneid.people["bobur"] = {**ONEID_PERSON, "user_id": "bobur.t", "e_mail": "bobur@gov.example", "email": ""}
    response, _, _ = round_trip(client, "oneid", "bobur")
    assert response.status_code == 302 and SocialAccount.objects.get().uid == "bobur.t"


def test_oneid_a_replayed_state_is_refused(client, one, oneid):
    response, _, callback = round_trip(client, "oneid", "bobur")
    assert response.status_code == 302
    client.logout()
    before = rows()
    assert client.get(local_path(callback)).status_code == 400
    assert rows() == before and "_auth_user_id" not in client.session


def test_oneid_a_wrong_client_is_refused(client, one, oneid):
    app, _ = one
    app.secret = "wrong"
    app.save()
    before = rows()
    response, _, _ = round_trip(client, "oneid", "bobur")
    assert response.status_code == 400 and rows() == before


def test_oneid_an_identify_answer_that_is_not_valid_is_refused(client, one, oneid):
    oneid.people["bobur"] = {"valid": "false"}
    before = rows()
    response, _, _ = round_trip(client, "oneid", "bobur")
    assert response.status_code == 400 and rows() == before


def test_an_unknown_client_never_reaches_the_login_page(client, one, oneid):
    app, _ = one
    app.client_id = "someone-else"
    app.save()
    before = rows()
    start = client.post(reverse("oneid_login"))
    assert "client_id=someone-else" in start["Location"]
    assert requests.get(start["Location"], timeout=10).status_code == 400  # OneID's answer, not ours
    assert rows() == before


def test_the_logout_endpoints_follow_the_descriptions(one, oneid, uae, uaepass):
    from identity.oneid.views import log_out
    from identity.uaepass.views import logout_url

    uae_app, _ = uae
    url = logout_url(uae_app, "http://testserver/")
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert url.startswith(f"{uaepass.url}/idshub/logout?") and answer.headers["Location"] == "http://testserver/"
    one_app, _ = one
    oneid.tokens["a-token"] = {"login": "bobur"}
    log_out(one_app, "a-token")
    assert "a-token" not in oneid.tokens
    assert oneid.requests[-1][2]["grant_type"] == "one_log_out"
