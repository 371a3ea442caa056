"""Which identity providers each accelerator uses, and who may come in through them.

A provider is allauth's ``SocialApp`` (its kind, client id and secret, and its settings, such as an
OpenID Connect provider's ``server_url``); these settings tie it to accelerators and say what the
accelerator lets it do.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cohorts.models import Accelerator


class SignInSettings(models.Model):
    accelerator = models.OneToOneField(
        Accelerator, on_delete=models.CASCADE, related_name="sign_in", verbose_name=_("accelerator")
    )
    providers = models.ManyToManyField(
        "socialaccount.SocialApp",
        blank=True,
        related_name="accelerator_settings",
        verbose_name=_("identity providers"),
        help_text=_("The providers people of this accelerator may sign in with."),
    )
    passwords_off = models.BooleanField(
        _("passwords switched off"),
        default=False,
        help_text=_(
            "People whose accelerators all switch passwords off sign in only through a provider (superusers excepted)."
        ),
    )
    allowed_domains = models.TextField(
        _("allowed e-mail domains"),
        blank=True,
        default="",
        help_text=_(
            "People the accelerator does not know get an account at their first sign-in only if the "
            "provider vouches for an address at one of these domains (one a line, or separated by "
            "commas). Empty: only invited people."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sign-in settings")
        verbose_name_plural = _("sign-in settings")

    def __str__(self) -> str:
        return str(self.accelerator)

    @property
    def domains(self) -> set[str]:
        return {
            part.strip().lstrip("@").lower()
            for part in self.allowed_domains.replace(",", "\n").splitlines()
            if part.strip().lstrip("@")
        }
