from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members.models import AcceleratorRole

from .models import Accelerator, Cohort, Entity, User


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


class EntityInline(admin.TabularInline):
    model = Entity
    extra = 0


@admin.register(Accelerator)
class AcceleratorAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "country",
        "time_zone",
        "default_language",
        "sustainment_days",
        "checkin_cadence_days",
        "is_demo",
    ]
    list_filter = ["country", "default_language", "is_demo"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EntityInline]


@admin.register(Entity)
class EntityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "accelerator"]
    list_filter = ["accelerator"]
    search_fields = ["name", "acronym"]


@admin.register(AcceleratorRole)
class AcceleratorRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "accelerator", "cohort", "created_at"]
    list_filter = ["role", "accelerator"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user", "accelerator", "cohort"]


@admin.register(Cohort)
class CohortAdmin(SimpleHistoryAdmin):
    list_display = ["name", "number", "accelerator", "design_start", "launch_date", "status", "launched_at"]
    list_filter = ["accelerator", "status"]
    search_fields = ["name"]
    date_hierarchy = "launch_date"
    readonly_fields = ["launched_at", "launched_by", "created_at"]
