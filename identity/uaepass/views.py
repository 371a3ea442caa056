from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView, OAuth2LoginView


class UAEPassOAuth2Adapter(OAuth2Adapter):
    provider_id = "uaepass"
    basic_auth = True  # the token endpoint takes the client's id and secret in HTTP Basic

    def _server(self) -> str:
        return self.get_provider().server_url()

    @property
    def authorize_url(self):
        return self._server() + "/idshub/authorize"

    @property
    def access_token_url(self):
        return self._server() + "/idshub/token"

    @property
    def profile_url(self):
        return self._server() + "/idshub/userinfo"

    def complete_login(self, request, app, token, **kwargs):
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers={"Authorization": f"Bearer {token.token}"})
            response.raise_for_status()
            data = response.json()
        if not isinstance(data, dict) or not data.get("uuid"):
            raise OAuth2Error("UAE PASS's userinfo answer has no uuid")
        return self.get_provider().sociallogin_from_response(request, data)


def logout_url(app, redirect_uri: str) -> str:
    """Where to send the browser to end the UAE PASS session too, coming back to ``redirect_uri``."""
    from django.utils.http import urlencode

    server = app.settings.get("server_url", "https://stg-id.uaepass.ae").rstrip("/")
    return f"{server}/idshub/logout?{urlencode({'redirect_uri': redirect_uri})}"


oauth2_login = OAuth2LoginView.adapter_view(UAEPassOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(UAEPassOAuth2Adapter)
