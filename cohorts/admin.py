from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Accelerator, Cohort, Entity


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


@admin.register(Cohort)
class CohortAdmin(SimpleHistoryAdmin):
    list_display = ["name", "number", "accelerator", "design_start", "launch_date", "status", "launched_at"]
    list_filter = ["accelerator", "status"]
    search_fields = ["name"]
    date_hierarchy = "launch_date"
    readonly_fields = ["launched_at", "launched_by", "created_at"]
