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

    # The stale flag counts the check-in cadence: its cohorts' statuses are refreshed on the next tick.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "checkin_cadence_days" in form.changed_data:
            Cohort.objects.filter(accelerator=obj).update(statuses_refreshed_on=None)


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

    # The cohort's dates and sustainment length move its phases and statuses: refreshed on the next tick.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"launch_date", "design_start", "sustainment_days"} & set(form.changed_data):
            Cohort.objects.filter(pk=obj.pk).update(statuses_refreshed_on=None, stations_synced=False)
