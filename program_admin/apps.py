from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramAdminConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "program_admin"
    verbose_name = _("Program administration")
