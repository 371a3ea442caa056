"""The webhook Telegram calls, the person's link on their account page, and the admin's switch."""

import json

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.tasking import enqueue_on_commit
from members.access import ACCELERATOR_ADMIN
from members.policy import ADMIN, access

from . import updates
from .config import bot_config
from .linking import CODE_LIFETIME, deep_link, link_code_create, unlink
from .models import BotSwitch, Link, OutgoingMessage, ReceivedUpdate
from .policy import SIGNED_IN_POST, TELEGRAM_WEBHOOK
from .relay import linked_people

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FAILED_SHOWN = 20


@csrf_exempt
@access(TELEGRAM_WEBHOOK)
def webhook(request):
    """Telegram's updates: the secret header first, then each update id acted on once."""
    config = bot_config()
    given = request.headers.get(SECRET_HEADER, "")
    if config is None or not config.webhook_secret or not constant_time_compare(given, config.webhook_secret):
        return HttpResponseForbidden("forbidden")
    try:
        update = updates.parse(json.loads(request.body))
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest("malformed update")
    with transaction.atomic():
        _received, new = ReceivedUpdate.objects.get_or_create(update_id=update.update_id)
        if new:
            replies = updates.handle(update)
            OutgoingMessage.objects.bulk_create(replies, ignore_conflicts=True)
            if replies:
                enqueue_on_commit("telegram_bot.tasks.send_messages")
    return JsonResponse({"ok": True})


@access(SIGNED_IN_POST)
def link_start(request):
    """A fresh one-time deep link; the account page shows it with its expiry."""
    request.POST  # noqa: B018 (the body is read as every form's is: an oversized one is refused with 400)
    config = bot_config()
    if config is None:
        messages.error(request, _("Telegram is not set up on this platform."))
        return redirect("account")
    code, _expires_at = link_code_create(user=request.user)
    return render(
        request,
        "telegram_bot/link.html",
        {
            "deep_link": deep_link(config, code),
            "lifetime_minutes": int(CODE_LIFETIME.total_seconds() // 60),
            "bot_username": config.username,
        },
    )


@access(SIGNED_IN_POST)
def link_remove(request):
    request.POST  # noqa: B018 (as above)
    if unlink(user=request.user):
        messages.success(request, _("Your Telegram is no longer linked. The bot will not write to you."))
    return redirect("account")


@access(SIGNED_IN_POST)
def link_preferences(request):
    notify = request.POST.get("notify") == "on"
    if Link.objects.filter(user=request.user).update(notify=notify):
        messages.success(request, _("Saved."))
    return redirect("account")


@access(ADMIN, ACCELERATOR_ADMIN)
def accelerator_settings(request, accelerator):
    """An admin turns the bot on or off for their accelerator and sees what failed to go out."""
    switch = BotSwitch.objects.filter(accelerator=accelerator).first() or BotSwitch(accelerator=accelerator)
    if request.method == "POST":
        switch.enabled = request.POST.get("enabled") == "on"
        switch.save()
        messages.success(
            request,
            _("Telegram is on for this accelerator.") if switch.enabled else _("Telegram is off for this accelerator."),
        )
        return redirect("telegram_settings", slug=accelerator.slug)
    failed = OutgoingMessage.objects.filter(accelerator=accelerator).exclude(failed_at=None).select_related("user")
    context = {
        "accelerator": accelerator,
        "switch": switch,
        "configured": bot_config() is not None,
        "linked": linked_people(accelerator),
        "failed": failed.order_by("-failed_at")[:FAILED_SHOWN],
        "failed_count": failed.count(),
        "waiting": OutgoingMessage.objects.filter(accelerator=accelerator, sent_at=None, failed_at=None).count(),
    }
    return render(request, "telegram_bot/settings.html", context)
