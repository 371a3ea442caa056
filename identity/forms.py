"""The password sign-in form, refusing people whose accelerators all switched passwords off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.auth_forms import SignInForm

from . import rules


class PasswordSignInForm(SignInForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not rules.password_sign_in_allowed(user):
            raise forms.ValidationError(rules.PASSWORDS_OFF, code="passwords_off")


class SignInSettingsForm(forms.ModelForm):
    class Meta:
        from .models import SignInSettings

        model = SignInSettings
        fields = ["providers", "passwords_off", "allowed_domains"]
        widgets = {
            "providers": forms.CheckboxSelectMultiple,
            "allowed_domains": forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        }

    def clean_allowed_domains(self):
        value = self.cleaned_data["allowed_domains"]
        for part in value.replace(",", "\n").splitlines():
            domain = part.strip().lstrip("@")
            if domain and ("." not in domain or any(ch.isspace() or ch in "@/:" for ch in domain)):
                raise forms.ValidationError(_("“%(domain)s” is not an e-mail domain."), params={"domain": domain})
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("passwords_off") and not cleaned.get("providers"):
            # Nobody of this accelerator could sign in at all (found by trying the page with no provider).
            self.add_error(
                "passwords_off",
                _(
                    "Choose at least one identity provider before switching passwords off:"
                    " otherwise nobody of this accelerator could sign in."
                ),
            )
        return cleaned
