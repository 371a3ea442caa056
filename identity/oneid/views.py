from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView, OAuth2LoginView
from allauth.utils import get_request_param

from .config import claims_of, endpoint_of


class OneIDOAuth2Adapter(OAuth2Adapter):
    provider_id = "oneid"

    @property
    def authorize_url(self):
        return self.get_provider().endpoint()

    @property
    def access_token_url(self):
        return self.get_provider().endpoint()

    def get_access_token_data(self, request, app, client, pkce_code_verifier=None):
        code = get_request_param(self.request, "code")
        data = client.get_access_token(code, extra_data={"grant_type": "one_authorization_code"})
        self.did_fetch_access_token = True
        return data

    def complete_login(self, request, app, token, **kwargs):
        provider = self.get_provider()
        with get_adapter().get_requests_session() as session:
            response = session.post(
                provider.endpoint(),
                data={
                    "grant_type": "one_access_token_identify",
                    "client_id": app.client_id,
                    "client_secret": app.secret,
                    "access_token": token.token,
                    "scope": " ".join(provider.get_scope()),
                },
            )
            response.raise_for_status()
            data = response.json()
        valid = str(data.get("valid", "true")).lower() if isinstance(data, dict) else "false"
        if valid != "true" or not data.get(claims_of(app)["uid"]):
            raise OAuth2Error("OneID did not identify the person")
        return provider.sociallogin_from_response(request, data)


def log_out(app, access_token: str) -> None:
    """End the person's OneID session (``grant_type=one_log_out``); OneID's answer changes nothing here."""
    endpoint = endpoint_of(app)
    with get_adapter().get_requests_session() as session:
        session.post(
            endpoint,
            data={
                "grant_type": "one_log_out",
                "client_id": app.client_id,
                "client_secret": app.secret,
                "access_token": access_token,
                "scope": app.client_id,
            },
        )


oauth2_login = OAuth2LoginView.adapter_view(OneIDOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(OneIDOAuth2Adapter)
