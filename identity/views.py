"""The sign-in page with its providers, the end of a sign-in allauth cannot finish, and the
program admins' sign-in settings page."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from allauth.socialaccount.internal.flows.signup import clear_pending_signup
from allauth.socialaccount.models import SocialApp
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members import views as members_views
from members.access import ACCELERATOR_ADMIN
from members.invitations import user_from_link
from members.policy import ADMIN, PUBLIC, PUBLIC_PAGE, access

from . import rules
from .forms import PasswordSignInForm, SignInSettingsForm
from .models import SignInSettings

# Providers whose button stands apart from local sign-in (UAE PASS's guidelines ask for it).
SEPARATE_BUTTONS = {"uaepass"}


DEFAULT_SERVERS = {"uaepass": "https://stg-id.uaepass.ae", "oneid": "https://sso.egov.uz"}


def provider_origin(app) -> str:
    """Where a provider's sign-in page is: the origin of its ``server_url`` (or ``authorize_origin``)."""
    url = (
        app.settings.get("authorize_origin") or app.settings.get("server_url") or DEFAULT_SERVERS.get(app.provider, "")
    )
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def provider_buttons(request, apps=None) -> tuple[list[dict], list[dict], list[str]]:
    """(the national identity buttons shown apart, the other providers' buttons, their origins)."""
    apart, others, origins = [], [], []
    for app in rules.providers_for_sign_in() if apps is None else apps:
        provider = app.get_provider(request)
        button = {"id": app.provider, "name": app.name, "url": provider.get_login_url(request)}
        (apart if app.provider in SEPARATE_BUTTONS else others).append(button)
        if origin := provider_origin(app):
            origins.append(origin)
    return apart, others, origins


class SignInView(auth_views.LoginView):
    authentication_form = PasswordSignInForm

    def dispatch(self, request, *args, **kwargs):
        self.national_providers, self.providers, origins = provider_buttons(request)
        response = super().dispatch(request, *args, **kwargs)
        if origins:
            # A provider's button posts to us and is redirected to the provider: browsers apply the
            # CSP's form-action to a form's redirects, so it must allow the providers' origins.
            response._csp_update = {"form-action": sorted(set(origins))}
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["national_providers"], context["providers"] = self.national_providers, self.providers
        return context


def app_or_404(view):
    """allauth's provider views raise ``SocialApp.DoesNotExist`` for a provider nobody configured.

    A GET of a login URL shows allauth's "continue" page, whose form is redirected to the provider:
    the CSP's form-action allows the providers' origins there too."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except SocialApp.DoesNotExist as error:
            raise Http404 from error
        if request.method == "GET" and response.status_code == 200:
            origins = {provider_origin(app) for app in rules.providers_for_sign_in()} - {""}
            if origins:
                response._csp_update = {"form-action": sorted(origins)}
        return response

    return guarded


@access(PUBLIC)
def invitation_accept(request, uidb64: str, token: str):
    """An invitation link: a password to set (members' page), or, when the invitee's accelerators all
    switched passwords off, their providers' buttons; the first sign-in through one links to them."""
    user = user_from_link(uidb64, token)
    if user is None or rules.password_sign_in_allowed(user):
        return members_views.invitation_accept(request, uidb64=uidb64, token=token)
    request.session[rules.INVITEE_SESSION_KEY] = user.pk
    apart, others, origins = provider_buttons(request, apps=rules.providers_of(user).order_by("provider", "name"))
    context = {"invitee": user, "national_providers": apart, "providers": others}
    response = render(request, "identity/invitation.html", context)
    if origins:
        response._csp_update = {"form-action": sorted(set(origins))}
    return response


@access(PUBLIC_PAGE)
def signup_refused(request):
    """Where allauth sends a new person it could not sign up on its own: we never ask for more."""
    clear_pending_signup(request)
    return render(request, "identity/refused.html", {"message": rules.NOT_INVITED})


@access(ADMIN, ACCELERATOR_ADMIN)
def sign_in_settings(request, accelerator):
    """An accelerator's identity providers, who may come in through them, and passwords on or off."""
    settings, _created = SignInSettings.objects.get_or_create(accelerator=accelerator)
    form = SignInSettingsForm(request.POST if request.method == "POST" else None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The sign-in settings are saved."))
        return redirect("identity_settings", slug=accelerator.slug)
    return render(request, "identity/settings.html", {"accelerator": accelerator, "form": form})
