from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SignInSettings


@admin.register(SignInSettings)
class SignInSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["accelerator", "passwords_off"]
    filter_horizontal = ["providers"]
