from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The challenges app sits below this one and cannot call it: it announces what happened
        # (challenges.events) and the webhooks listen here.
        from . import webhooks

        webhooks.connect()
