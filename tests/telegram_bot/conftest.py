"""The Bot API stand-in, the bot's settings pointed at it, and a team whose accelerator has Telegram on."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import clock
from telegram_bot.models import BotSwitch
from telegram_bot.outbox import Pace, send_due
from tests.challenges.journey import make_team
from tests.telegram_bot.bot_api import BOT_USERNAME, BotAPI, text_update

TOKEN = "7000000001:AAE-test-token"
SECRET = "webhook-secret-Zq8"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
def bot_api():
    with BotAPI(TOKEN) as api:
        yield api


@pytest.fixture
def bot(settings, bot_api):
    """The platform's bot settings pointed at the stand-in."""
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.TELEGRAM_BOT_USERNAME = BOT_USERNAME
    settings.TELEGRAM_API_URL = bot_api.url
    return bot_api


def bot_env(bot_api) -> dict:
    """The same settings for a worker process."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "TELEGRAM_API_URL": bot_api.url,
    }


def make_bot_team(**fields):
    """A team ten days into acceleration (today, in real time), its accelerator served by the bot."""
    today = timezone.localdate()
    team = make_team(launch=today - timedelta(days=10), **fields)
    BotSwitch.objects.create(accelerator=team.accelerator, enabled=True)
    clock.clock_tick(accelerator_ids=[team.accelerator.pk], notify=False)
    team.challenge.refresh_from_db()
    return team


@pytest.fixture
def team():
    return make_bot_team()


def deliver(client, update: dict, *, secret: str | None = SECRET):
    """POST an update to the webhook as Telegram does (JSON body, the secret header)."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return client.post(
        reverse("telegram_webhook"), data=json.dumps(update), content_type="application/json", headers=headers
    )


def flush() -> None:
    """Send what is queued, as the worker's task does (without pausing between calls)."""
    send_due(pace=Pace(sleep=lambda _seconds: None))


def link(client, user, chat_id: int) -> None:
    """Link ``user``'s Telegram the way a person does: the account page's button, then /start in the bot."""
    client.force_login(user)
    response = client.post(reverse("telegram_link"))
    code = re.search(r"\?start=([A-Za-z0-9_-]+)", response.content.decode()).group(1)
    client.logout()
    assert deliver(client, text_update(chat_id, f"/start {code}")).status_code == 200
