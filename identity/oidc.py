"""allauth's OpenID Connect provider, with the two checks it leaves out switched on.

allauth (65.x) checks an ID token's issuer, audience and expiry with PyJWT
(``allauth.socialaccount.internal.jwtkit.verify_and_decode``), but skips the signature when the token
came straight from the token endpoint (``OpenIDConnectOAuth2Adapter._decode_id_token``:
``verify_signature = not self.did_fetch_access_token``), sends no ``nonce`` and accepts a token
endpoint that returns no ID token at all. Here the signature is always checked against the
provider's published keys (``jwks_uri``), a nonce is sent with each authorization request, kept in
allauth's state and compared with the token's, and the ID token is required, with the same subject as
the userinfo answer. Configured as ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]``,
allauth's documented way of replacing a provider's class; everything else is allauth's own.
"""

from __future__ import annotations

from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404
from django.utils.crypto import constant_time_compare, get_random_string
from requests import RequestException


class CheckedOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


class CheckedOpenIDConnectProvider(OpenIDConnectProvider):
    oauth2_adapter_class = CheckedOpenIDConnectAdapter
    package = "identity.openid_connect"  # its URLs: allauth's paths and names, with these views

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        try:
            return super().redirect(request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs)
        except (RequestException, OAuth2Error) as error:  # the provider's discovery document did not answer
            return render_authentication_error(request, self, exception=error)


def id_token_problem(sociallogin) -> str | None:
    """What is wrong with an OpenID Connect sign-in that allauth let through, if anything."""
    claims = sociallogin.account.extra_data.get("id_token")
    if not claims:
        return "the token endpoint returned no ID token"
    expected = sociallogin.state.get("nonce")
    if not expected or not constant_time_compare(str(claims.get("nonce", "")), expected):
        return "the ID token's nonce is not the one this sign-in sent"
    userinfo = sociallogin.account.extra_data.get("userinfo")
    if userinfo is not None and str(userinfo.get("sub")) != str(claims.get("sub")):
        return "the userinfo answer is about another subject than the ID token"
    return None


def login(request, provider_id):
    """allauth's ``openid_connect.views.login``, with the adapter above."""
    try:
        return OAuth2LoginView.adapter_view(CheckedOpenIDConnectAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error


def callback(request, provider_id):
    """allauth's ``openid_connect.views.callback``, with the adapter above."""
    try:
        return OAuth2CallbackView.adapter_view(CheckedOpenIDConnectAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
