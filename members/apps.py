from django.apps import AppConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Team members")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        # Django's own receiver saves the user, which simple-history records as a change with
        # nothing visible in it: the person's history would list every sign-in time.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="record_last_login")

        from axes.signals import user_locked_out

        from .lockout import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="record_lockout")


def record_last_login(sender, user, **kwargs) -> None:
    """``last_login`` written with an UPDATE, which sends no save signal and so writes no history row."""
    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)
