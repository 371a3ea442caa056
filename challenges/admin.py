from django.contrib import admin
from django.db import transaction
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members.models import Membership

from .clock import refresh_status
from .models import (
    Blocker,
    Challenge,
    CheckIn,
    Notification,
    SponsorDigestLog,
    Station,
    StationTemplate,
)
from .services import challenge_take_latest_checkin, station_templates_changed


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class StationInline(admin.TabularInline):
    model = Station
    extra = 0
    fields = ["kind", "name", "due_on", "state", "shown_today", "done_on"]
    readonly_fields = ["kind", "name", "due_on", "shown_today"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("challenge__cohort__accelerator")

    # ``state`` is what is stored; overdue is never stored but read from the due day in the
    # accelerator's local date (``Station.state_on``), as every page shows it.
    @admin.display(description=_("shown today"))
    def shown_today(self, obj):
        if obj.pk is None:
            return "–"
        return obj.state_label_on(obj.challenge.cohort.accelerator.local_today())


@admin.register(Challenge)
class ChallengeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "cohort", "lead_entity", "phase", "status", "progress", "last_checkin_on", "is_stale"]
    list_filter = ["cohort__accelerator", "cohort", "phase", "status", "direction", "is_stale"]
    search_fields = ["title", "metric", "goal_statement"]
    autocomplete_fields = ["cohort", "lead_entity", "partner_entities"]
    readonly_fields = [
        "phase",
        "phase_since",
        "current_value",
        "progress",
        "expected_progress",
        "status",
        "last_checkin_on",
        "is_stale",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
        "phase_transitions",
    ]
    inlines = [MembershipInline, StationInline]
    list_select_related = ["cohort", "lead_entity"]

    # Django's admin takes no model with a composite primary key (a transition's is its challenge and
    # phase), so the transitions are shown here, read-only: only the clock records them.
    @admin.display(description=_("phase transitions"))
    def phase_transitions(self, obj):
        rows = [
            (t.get_from_phase_display(), t.get_to_phase_display(), date_format(t.effective_on, "DATE_FORMAT"))
            for t in obj.transitions.order_by("effective_on")
        ]
        return format_html_join(mark_safe("<br>"), "{} → {} ({})", rows) or "–"

    # A goal edited here moves the challenge's stored progress and status at once, as a check-in
    # does: the clock refreshes a cohort's statuses only once per local day.
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "cohort" in form.changed_data:
                CheckIn.challenge_moved(obj)
            accelerator = obj.cohort.accelerator
            refresh_status(accelerator=accelerator, today=accelerator.local_today(), challenge_ids=[obj.pk])


@admin.register(StationTemplate)
class StationTemplateAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "anchor", "day_offset", "accelerator"]
    list_filter = ["accelerator", "anchor", "kind"]

    # The clock checks a cohort's stations against the template only when it changed.
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            station_templates_changed(accelerator_id=obj.accelerator_id)
            if change and "accelerator" in form.changed_data and form.initial.get("accelerator"):
                station_templates_changed(accelerator_id=form.initial["accelerator"])


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["label", "challenge", "due_on", "state", "done_on"]
    list_filter = ["state", "kind", "challenge__cohort"]
    search_fields = ["challenge__title", "name"]
    list_select_related = ["challenge"]


@admin.register(CheckIn)
class CheckInAdmin(SimpleHistoryAdmin):
    list_display = ["challenge", "period", "reported_on", "value", "confidence", "author"]
    list_filter = ["challenge__cohort", "confidence"]
    search_fields = ["challenge__title", "done", "next_steps"]
    autocomplete_fields = ["challenge", "author"]
    list_select_related = ["challenge", "author"]

    # A check-in edited or deleted here moves its challenge's current value and status as the
    # team lead's form does.
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            _take_latest(obj.challenge_id)
            if change and "challenge" in form.changed_data and form.initial.get("challenge"):
                _take_latest(form.initial["challenge"])

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            _take_latest(obj.challenge_id)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            challenge_ids = set(queryset.values_list("challenge_id", flat=True))
            super().delete_queryset(request, queryset)
            for challenge_id in sorted(challenge_ids):
                _take_latest(challenge_id)


def _take_latest(challenge_id: int) -> None:
    challenge = Challenge.objects.select_related("cohort__accelerator").get(pk=challenge_id)
    challenge_take_latest_checkin(challenge=challenge, today=challenge.cohort.accelerator.local_today())


@admin.register(Blocker)
class BlockerAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "challenge", "severity", "state", "decision_needed_by", "created_at"]
    list_filter = ["state", "severity", "challenge__cohort"]
    search_fields = ["description", "challenge__title"]
    autocomplete_fields = ["challenge", "raised_by", "resolved_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "message", "created_at", "read_at", "emailed_at", "email_failed_at", "email_error"]
    search_fields = ["user__email", "message"]
    # "Failed at: has date" with its count is the list of e-mails the task gave up on.
    list_filter = ["read_at", "email_failed_at", "emailed_at"]
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(SponsorDigestLog)
class SponsorDigestLogAdmin(admin.ModelAdmin):
    list_display = ["user", "week_of", "sent_at", "failed_at", "last_error"]
    search_fields = ["user__email"]
    list_filter = ["failed_at", "sent_at"]
    show_facets = admin.ShowFacets.ALWAYS
    date_hierarchy = "week_of"
