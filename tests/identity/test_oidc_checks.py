"""OpenID Connect through allauth, against a stand-in issuer that signs real JWTs: a good sign-in
links the invited person; every forged or stale answer is refused with nothing created and a
translated message."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from members.invitations import invitation_create
from tests.factories import AcceleratorFactory
from tests.identity.conftest import idp_sign_in, local_path, provider_for
from tests.identity.standins import Issuer

pytestmark = pytest.mark.django_db

INVITEE = "amina@health.example.gov"


@pytest.fixture
def world(issuer):
    accelerator = AcceleratorFactory(slug="oidc-a", name="OIDC A")
    app = provider_for(
        accelerator,
        provider="openid_connect",
        provider_id="stand-in",
        name="Gov ID",
        settings={"server_url": issuer.url},
    )
    issuer.people[INVITEE] = {"sub": "subject-amina", "email": INVITEE, "email_verified": True, "name": "Amina"}
    invitation = invitation_create(accelerator=accelerator, email=INVITEE, full_name="Amina", by=None)
    return accelerator, app, invitation


def sign_in(client, login=INVITEE):
    """The whole round trip: our POST button, the issuer's login page, back to our callback."""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "stand-in"}))
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert "code_challenge=" in authorize and "code_challenge_method=S256" in authorize  # PKCE
    assert "nonce=" in authorize
    callback = idp_sign_in(authorize, login)
    return client.get(local_path(callback)), callback


def rows():
    return (get_user_model().objects.count(), SocialAccount.objects.count())


def test_the_invited_person_signs_in_and_is_linked(client, world, issuer):
    accelerator, app, invitation = world
    before = get_user_model().objects.count()
    response, _ = sign_in(client)
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == invitation.user_id
    account = SocialAccount.objects.get()
    assert (account.user_id, account.provider, account.uid) == (invitation.user_id, "stand-in", "subject-amina")
    assert get_user_model().objects.count() == before  # linked, not made anew
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    token_request = next(params for method, path, params in issuer.requests if path == "/token")
    assert token_request["code_verifier"]  # PKCE's verifier went with the code

    # The next time, the link is found by the provider's subject.
    client.logout()
    response, _ = sign_in(client)
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == invitation.user_id
    assert SocialAccount.objects.count() == 1


@pytest.mark.parametrize("fault", Issuer.FAULTS)
def test_a_forged_or_stale_id_token_is_refused_and_nothing_is_created(client, world, issuer, fault):
    issuer.fault = fault
    before = rows()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    response, _ = sign_in(client)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert rows() == before
    text = response.content.decode()
    assert "لم ينجح تسجيل الدخول" in text  # "Signing in did not succeed", in Arabic


def test_a_replayed_state_is_refused(client, world, issuer):
    response, callback = sign_in(client)
    assert response.status_code == 302
    client.logout()
    before = rows()
    replay = client.get(local_path(callback))  # the same code and state again
    assert replay.status_code == 400
    assert "_auth_user_id" not in client.session
    assert rows() == before


def test_a_stranger_is_refused_and_nothing_is_created(client, world, issuer):
    issuer.people["someone@elsewhere.example"] = {
        "sub": "subject-x",
        "email": "someone@elsewhere.example",
        "email_verified": True,
    }
    before = rows()
    response, _ = sign_in(client, "someone@elsewhere.example")
    assert response.status_code == 403
    assert "Ask the program team of your accelerator to invite you" in response.content.decode()
    assert rows() == before and "_auth_user_id" not in client.session


def test_an_unverified_address_is_not_matched(client, world, issuer):
    issuer.people[INVITEE]["email_verified"] = False
    before = rows()
    response, _ = sign_in(client)
    assert response.status_code == 403
    assert rows() == before and "_auth_user_id" not in client.session


def test_an_allowed_domain_lets_a_stranger_in(client, world, issuer):
    accelerator, app, _ = world
    accelerator.sign_in.allowed_domains = "health.example.gov\n@finance.example.gov"
    accelerator.sign_in.save()
    issuer.people["omar@finance.example.gov"] = {
        "sub": "subject-omar",
        "email": "omar@finance.example.gov",
        "email_verified": True,
        "name": "Omar Saeed",
    }
    response, _ = sign_in(client, "omar@finance.example.gov")
    assert response.status_code == 302
    person = get_user_model().objects.get(email="omar@finance.example.gov")
    assert person.full_name == "Omar Saeed" and not person.has_usable_password()
    assert int(client.session["_auth_user_id"]) == person.pk


def test_a_provider_that_does_not_answer_gives_a_page_not_a_500(client, world, issuer):
    issuer.close()
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "stand-in"}))
    assert response.status_code == 400
    assert "Signing in did not succeed" in response.content.decode()


def test_an_unknown_provider_is_404(client, world):
    assert client.post(reverse("openid_connect_login", kwargs={"provider_id": "nobody"})).status_code == 404
    assert client.get(reverse("uaepass_login")).status_code == 404


def test_with_passwords_off_the_invitation_link_offers_the_provider_and_links_whatever_address(client, world, issuer):
    from members.invitations import invitation_link

    accelerator, app, invitation = world
    accelerator.sign_in.passwords_off = True
    accelerator.sign_in.save()
    link = local_path(invitation_link(invitation.user))
    page = client.get(link)
    assert page.status_code == 200 and "Sign in with Gov ID" in page.content.decode()
    assert 'name="new_password1"' not in page.content.decode()
    client.post(link, {"new_password1": "a long enough password 2026", "new_password2": "a long enough password 2026"})
    invitation.user.refresh_from_db()
    assert not invitation.user.has_usable_password()  # no password is set behind the switch
    # The provider knows the invitee by another address: the link in this session vouches for them.
    issuer.people["amina.personal@mail.example"] = {
        "sub": "subject-amina-2",
        "email": "amina.personal@mail.example",
        "email_verified": True,
    }
    response, _ = sign_in(client, "amina.personal@mail.example")
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == invitation.user_id
    assert SocialAccount.objects.get().user_id == invitation.user_id


def test_with_passwords_on_the_invitation_link_still_sets_a_password(client, world):
    from members.invitations import invitation_link

    _, _, invitation = world
    page = client.get(local_path(invitation_link(invitation.user)))
    assert 'name="new_password1"' in page.content.decode()


def test_a_superuser_is_never_linked_by_address(client, world, issuer):
    from members.models import AcceleratorRole

    accelerator, _, _ = world
    admin = get_user_model().objects.create_superuser(email="root@health.example.gov", password="x" * 12)
    AcceleratorRole.objects.create(user=admin, accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN)
    issuer.people[admin.email] = {"sub": "subject-root", "email": admin.email, "email_verified": True}
    before = rows()
    response, _ = sign_in(client, admin.email)
    assert response.status_code == 403 and "password only" in response.content.decode()
    assert rows() == before and "_auth_user_id" not in client.session
