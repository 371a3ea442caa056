"""The Integrations page's forms: a new API token, a new webhook endpoint."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import validate_one_line

from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is it for?"),
        max_length=100,
        help_text=_("For example the national performance system that will use it."),
        error_messages={"required": _("Say what the token is for.")},
        widget=forms.TextInput(attrs={"dir": "auto"}),
        validators=[validate_one_line],
    )
    scope = forms.ChoiceField(
        label=_("It may"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the token may do.")},
    )


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Address (URL) to notify"),
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": _("Enter the address to notify."),
            "invalid": _("Enter a full web address, such as https://example.org/hooks/accelerators."),
        },
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )
