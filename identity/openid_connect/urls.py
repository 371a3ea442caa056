"""allauth's OpenID Connect URLs (same paths and names), served by identity/oidc.py's views."""

from allauth.socialaccount import app_settings
from django.urls import path

from identity import oidc

_prefix = f"{app_settings.OPENID_CONNECT_URL_PREFIX}/" if app_settings.OPENID_CONNECT_URL_PREFIX else ""
urlpatterns = [
    path(f"{_prefix}<str:provider_id>/login/", oidc.login, name="openid_connect_login"),
    path(f"{_prefix}<str:provider_id>/login/callback/", oidc.callback, name="openid_connect_callback"),
]
