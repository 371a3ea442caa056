from django.contrib import admin

from .models import BotSwitch, Link, OutgoingMessage


@admin.register(BotSwitch)
class BotSwitchAdmin(admin.ModelAdmin):
    list_display = ["accelerator", "enabled", "changed_at"]


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ["user", "username", "notify", "linked_at"]
    search_fields = ["user__email", "username"]
    readonly_fields = ["chat_id", "telegram_user_id", "linked_at"]


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ["key", "method", "chat_id", "created_at", "sent_at", "failed_at", "attempts"]
    list_filter = ["method", ("sent_at", admin.EmptyFieldListFilter), ("failed_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]
