"""The whole way, with a real Celery worker sending through python-telegram-bot to the Bot API stand-in:
a team lead links their Telegram, receives a reminder, posts a check-in and raises a blocker through
the bot, and the challenge page shows both."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accelerators.celery import app
from challenges import reminders
from challenges.models import Blocker, CheckIn
from tests.processes import start_worker, stop
from tests.telegram_bot.bot_api import button_update, text_update
from tests.telegram_bot.conftest import bot_env, deliver, link, make_bot_team

CHAT = 801


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_link_remind_checkin_and_blocker_through_the_bot(client, bot):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker process needs a file-backed test database")
    team = make_bot_team()
    worker = start_worker("telegram", **bot_env(bot))
    try:
        link(client, team.lead, CHAT)  # the webhook queues the greeting; the worker sends it on commit
        bot.wait_for(lambda: any("Linked" in t for t in bot.texts(CHAT)), what="the greeting")

        reminders.reminders_send_due(now=timezone.now().replace(hour=6))  # 11:00 in Tashkent
        app.send_task("telegram_bot.tasks.relay_to_telegram")
        bot.wait_for(lambda: any(team.challenge.title in t for t in bot.texts(CHAT)[1:]), what="the reminder")

        for update in (
            text_update(CHAT, "/checkin"),
            text_update(CHAT, "33.5"),
            text_update(CHAT, "Two more windows opened"),
            text_update(CHAT, "/skip"),
            button_update(CHAT, "pick:4"),
            button_update(CHAT, "ok"),
        ):
            assert deliver(client, update).status_code == 200
        bot.wait_for(lambda: any("Check-in posted" in t for t in bot.texts(CHAT)), what="the confirmation")

        for update in (
            text_update(CHAT, "/blocker"),
            text_update(CHAT, "Registry data not shared"),
            button_update(CHAT, "pick:high"),
            button_update(CHAT, f"pick:{team.lead.pk}"),
            text_update(CHAT, (timezone.localdate() + timedelta(days=5)).isoformat()),
            button_update(CHAT, "ok"),
        ):
            assert deliver(client, update).status_code == 200
        bot.wait_for(lambda: any("Blocker raised" in t for t in bot.texts(CHAT)), what="the blocker's confirmation")
        # Every button press (two in the check-in, three in the blocker) was answered.
        bot.wait_for(lambda: len(bot.sent(method="answerCallbackQuery")) == 5, what="five callback answers")
    finally:
        output = stop(worker)
    assert CheckIn.objects.get().done == "Two more windows opened", output
    assert Blocker.objects.get().raised_by == team.lead
    client.force_login(team.sponsor)
    page = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
    assert "Two more windows opened" in page and "Registry data not shared" in page
    texts = bot.texts(CHAT)
    assert sum("Check-in posted" in t for t in texts) == 1 and sum("Blocker raised" in t for t in texts) == 1
