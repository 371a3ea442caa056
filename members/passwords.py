"""Self-service password change and reset: Django's views, rate-limited (issue 15, point 11).

The reset page gives the same answer, in the same time, whether or not the address has an
account: the view only queues ``send_password_reset`` (the worker looks the address up and
mails the link, in the person's language), and does so at most ``RESETS_PER_ADDRESS`` times an
hour per e-mail address and ``RESETS_PER_CLIENT`` per client address, silently beyond that. The
change page stops checking the current password after ``CHANGE_FAILURES`` wrong ones in an hour,
so it cannot be used to guess it. The link is Django's password-reset token: it works once and
expires after ``PASSWORD_RESET_TIMEOUT``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from celery import shared_task
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.core.cache import cache
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.proxies import client_ip
from core.tasking import enqueue_on_commit

RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 10
CHANGE_FAILURES = 5
WINDOW_SECONDS = 3600


def _spend(key: str, limit: int) -> bool:
    """Count one use of ``key`` in the current hour; False once ``limit`` uses are spent."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        used = 1
    return used <= limit


class LocalisedPasswordResetForm(PasswordResetForm):
    """Django's form; the e-mail goes out in the person's own language, its subject on one line."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        user = context["user"]
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def send_password_reset(email: str) -> None:
    """Mail a reset link to the active account using ``email``, if there is one."""
    site = urlsplit(settings.SITE_URL)
    form = LocalisedPasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
            from_email=settings.DEFAULT_FROM_EMAIL,
        )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_form.html"
    success_url = reverse_lazy("password_reset_done")
    extra_context = {
        "heading": _("Reset your password"),
        "intro": _(
            "Enter the e-mail address you sign in with. If it has an account, it gets a link to set a new password."
        ),
        "button": _("Send the link"),
    }

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if _spend(f"password-reset:client:{client_ip(self.request)}", RESETS_PER_CLIENT) and _spend(
            f"password-reset:email:{email}", RESETS_PER_ADDRESS
        ):
            enqueue_on_commit(send_password_reset, email)
        return super(auth_views.PasswordResetView, self).form_valid(form)  # redirect, send nothing here


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's form; after CHANGE_FAILURES wrong current passwords in an hour it stops checking."""

    def clean_old_password(self):
        key = f"password-change:{self.user.pk}"
        if cache.get(key, 0) >= CHANGE_FAILURES:
            raise forms.ValidationError(_("Too many wrong passwords. Try again in an hour."), code="throttled")
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            _spend(key, CHANGE_FAILURES)
            raise


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm
    template_name = "registration/password_form.html"
    success_url = reverse_lazy("password_change_done")
    extra_context = {"heading": _("Change your password"), "button": _("Change password")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_form.html"
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"heading": _("Choose a new password"), "button": _("Set password")}


def message_page(heading, text, *, login_link: bool = False) -> dict:
    return {
        "template_name": "registration/password_message.html",
        "extra_context": {"heading": heading, "text": text, "login_link": login_link},
    }


RESET_DONE = message_page(
    _("Check your e-mail"),
    _("If an account uses that address, a link to set a new password is on its way. It works once."),
)
RESET_COMPLETE = message_page(
    _("Password set"), _("Your new password is set. You can log in with it."), login_link=True
)
CHANGE_DONE = message_page(_("Password changed"), _("Your password was changed. Your other sessions were signed out."))
