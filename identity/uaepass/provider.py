"""UAE PASS, the UAE's national digital identity, as an allauth OAuth 2.0 provider.

As UAE PASS's public documentation describes it: the browser goes to ``/idshub/authorize`` with
``response_type=code``, the scope ``urn:uae:digitalid:profile:general`` and the required
``acr_values``; the code is exchanged at ``/idshub/token`` with the client's id and secret in HTTP
Basic; ``/idshub/userinfo`` answers with ``uuid`` (kept as the account's uid), the names in English
and Arabic, ``email`` and ``userType`` (SOP1 unverified, SOP2 and SOP3 verified accounts);
``/idshub/logout`` ends the UAE PASS session. A SocialApp's settings may change ``server_url``
(staging ``https://stg-id.uaepass.ae``, production ``https://id.uaepass.ae``), ``acr_values``,
``ui_locales`` and ``verified_user_types`` (whose e-mail counts as verified: SOP2 and SOP3).
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from .views import UAEPassOAuth2Adapter

SCOPE = "urn:uae:digitalid:profile:general"
DEFAULT_ACR = "urn:safelayer:tws:policies:authentication:level:low"
DEFAULT_SERVER = "https://stg-id.uaepass.ae"


class UAEPassAccount(ProviderAccount):
    def to_str(self):
        return self.account.extra_data.get("fullnameEN") or super().to_str()


class UAEPassProvider(OAuth2Provider):
    id = "uaepass"
    name = "UAE PASS"
    account_class = UAEPassAccount
    oauth2_adapter_class = UAEPassOAuth2Adapter

    def server_url(self) -> str:
        return self.app.settings.get("server_url", DEFAULT_SERVER).rstrip("/")

    def get_default_scope(self):
        return [SCOPE]

    def get_auth_params(self):
        params = {"acr_values": self.app.settings.get("acr_values", DEFAULT_ACR)}
        if self.app.settings.get("ui_locales"):
            params["ui_locales"] = self.app.settings["ui_locales"]
        params.update(super().get_auth_params())
        return params

    def extract_uid(self, data):
        return str(data["uuid"])

    def extract_common_fields(self, data):
        return {
            "email": data.get("email"),
            "first_name": data.get("firstnameEN"),
            "last_name": data.get("lastnameEN"),
            "name": data.get("fullnameEN")
            or " ".join(filter(None, [data.get("firstnameEN"), data.get("lastnameEN")]))
            or " ".join(filter(None, [data.get("firstnameAR"), data.get("lastnameAR")])),
        }

    def extract_email_addresses(self, data):
        email = data.get("email")
        if not email:
            return []
        verified_types = self.app.settings.get("verified_user_types", ["SOP2", "SOP3"])
        return [EmailAddress(email=email, verified=data.get("userType") in verified_types, primary=True)]


provider_classes = [UAEPassProvider]
