"""OneID (id.egov.uz), Uzbekistan's unified identification system, as an allauth OAuth 2.0 provider.

Its OAuth-like flow, as its public descriptions give it, all at one endpoint
(``/sso/oauth/Authorization.do``): the browser is sent there with ``response_type=one_code``; the code
comes back to the callback with the state; the server posts ``grant_type=one_authorization_code``
(with the client's id, secret and the redirect URI) for an access token, then
``grant_type=one_access_token_identify`` (with the token and the scope) for the person: ``pin``
(the personal number, kept as the account's uid), ``sur_name``, ``first_name``, ``mid_name``,
``full_name``, ``email`` and more; ``grant_type=one_log_out`` ends the OneID session.

Public descriptions differ in details, so a SocialApp's settings may change: ``server_url``
(``https://sso.egov.uz``), ``endpoint`` (``/sso/oauth/Authorization.do``), ``scope`` (by default
the client id, as OneID registers it), ``claims`` (which answer field holds ``uid``, ``email``,
``first_name``, ``last_name``, ``middle_name``, ``full_name``) and ``email_verified`` (whether OneID's
e-mail counts as verified; true by default, since OneID identifies people by their documents).
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from .config import claims_of, endpoint_of
from .views import OneIDOAuth2Adapter


class OneIDAccount(ProviderAccount):
    def to_str(self):
        field = claims_of(self.account.get_provider().app)["full_name"]
        return self.account.extra_data.get(field) or super().to_str()


class OneIDProvider(OAuth2Provider):
    id = "oneid"
    name = "OneID"
    account_class = OneIDAccount
    oauth2_adapter_class = OneIDOAuth2Adapter

    def endpoint(self) -> str:
        return endpoint_of(self.app)

    def get_default_scope(self):
        return [self.app.client_id]

    def get_auth_params(self):
        return {"response_type": "one_code", **super().get_auth_params()}

    def extract_uid(self, data):
        return str(data[claims_of(self.app)["uid"]])

    def extract_common_fields(self, data):
        claims = claims_of(self.app)
        first, last = data.get(claims["first_name"]), data.get(claims["last_name"])
        return {
            "email": data.get(claims["email"]),
            "first_name": first,
            "last_name": last,
            "name": data.get(claims["full_name"])
            or " ".join(filter(None, [last, first, data.get(claims["middle_name"])])),
        }

    def extract_email_addresses(self, data):
        email = data.get(claims_of(self.app)["email"])
        if not email:
            return []
        return [EmailAddress(email=email, verified=bool(self.app.settings.get("email_verified", True)), primary=True)]


provider_classes = [OneIDProvider]
