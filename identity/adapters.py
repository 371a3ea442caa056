"""allauth's adapters: where a sign-in through a provider meets our rules (identity/rules.py).

Every refusal happens before allauth writes anything (``pre_social_login`` runs before the social
account or a person is saved), shows our translated page, and counts as a failed sign-in for the
lockout (django-axes listens to Django's ``user_login_failed``), as a wrong password does. A
successful one goes through Django's ``login()``: the same session settings, ``user_logged_in``
(which stores ``last_login`` without a history row, members/apps.py) and axes' reset.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render

from members.invitations import invitations_accepted

from . import rules
from .oidc import id_token_problem


def refusal(request, message, *, status: int = 403):
    return render(request, "identity/refused.html", {"message": message}, status=status)


def refuse(request, message, *, email: str = "", status: int = 403):
    """Raise allauth's way of answering now: our page, and one more failure for this address."""
    user_login_failed.send(sender=__name__, credentials={"username": email or ""}, request=request)
    raise ImmediateHttpResponse(refusal(request, message, status=status))


def _locked(request) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, {})


def _invitee(request):
    from django.contrib.auth import get_user_model

    invitee_id = request.session.get(rules.INVITEE_SESSION_KEY)
    return get_user_model().objects.filter(pk=invitee_id).first() if invitee_id else None


def _verified_email(sociallogin) -> tuple[str | None, bool]:
    for address in sociallogin.email_addresses:
        if address.verified:
            return address.email, True
    first = sociallogin.email_addresses[0].email if sociallogin.email_addresses else None
    return first, False


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False  # nobody signs up with a form; accounts come from invitations or providers

    def respond_user_inactive(self, request, user):
        return refusal(request, rules.ACCOUNT_CLOSED)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin) -> None:
        email, verified = _verified_email(sociallogin)
        if _locked(request):
            raise ImmediateHttpResponse(render(request, "registration/locked_out.html", status=429))
        if sociallogin.provider.id == "openid_connect" and id_token_problem(sociallogin):
            refuse(request, rules.PROVIDER_FAILED, email=email or "", status=400)
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                refuse(request, rules.ACCOUNT_CLOSED, email=email or "")
            return
        decision = rules.admission(
            app=sociallogin.provider.app, email=email, verified=verified, invitee=_invitee(request)
        )
        if decision.refusal:
            refuse(request, decision.refusal, email=email or "")
        if decision.user is not None:
            sociallogin.connect(request, decision.user)
            invitations_accepted(user=decision.user, accelerator_ids=decision.accelerator_ids)
            request.session.pop(rules.INVITEE_SESSION_KEY, None)
        sociallogin.identity_may_create = decision.create

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return getattr(sociallogin, "identity_may_create", False)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        if name and not user.full_name:
            user.full_name = name.strip()[:200]
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        refuse(request, rules.PROVIDER_FAILED, status=400)
