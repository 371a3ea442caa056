from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cohorts.models import User

from .models import AcceleratorRole, Membership


class AcceleratorRoleInline(admin.TabularInline):
    model = AcceleratorRole
    extra = 0
    autocomplete_fields = ["accelerator", "cohort"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "entity", "preferred_language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "preferred_language", "grants__role"]
    search_fields = ["email", "full_name", "job_title"]
    autocomplete_fields = ["entity"]
    inlines = [AcceleratorRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "job_title", "entity", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


@admin.register(AcceleratorRole)
class AcceleratorRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "accelerator", "cohort", "created_at"]
    list_filter = ["role", "accelerator"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user", "accelerator", "cohort"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "challenge"]
    list_filter = ["role", "challenge__cohort"]
    search_fields = ["user__email", "user__full_name", "challenge__title"]
    autocomplete_fields = ["user", "challenge"]
