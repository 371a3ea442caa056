"""Single sign-on under /sso/: allauth's provider views (each declared for the access matrix) and
the page where program admins choose their accelerator's providers.

allauth's own account pages (its sign-up, password and e-mail pages) are not mounted: people sign
in at /accounts/login/ (identity.views.SignInView) and accounts come from invitations.
"""

from allauth.urls import build_provider_urlpatterns
from django.urls import URLPattern, URLResolver, include, path

from members.policy import access

from . import views
from .policy import PROVIDER_FLOW


def _declared(patterns):
    """allauth's provider patterns, each view declared (``PROVIDER_FLOW``) and 404 for an unknown provider."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield URLResolver(entry.pattern, list(_declared(entry.url_patterns)), entry.default_kwargs)
        else:
            view = access(PROVIDER_FLOW)(views.app_or_404(entry.callback))
            yield URLPattern(entry.pattern, view, entry.default_args, entry.name)


urlpatterns = [
    path("invitations/<uidb64>/<token>/", views.invitation_accept, name="invitation_accept"),
    path("sso/signup/", views.signup_refused, name="socialaccount_signup"),
    path("manage/<slug:slug>/sign-in/", views.sign_in_settings, name="identity_settings"),
    path("sso/", include(list(_declared(build_provider_urlpatterns())))),
]
