"""Linking a Telegram chat from the account page: a one-time, expiring code; unlinking; nothing leaks."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from telegram_bot.models import Link, OutgoingMessage
from tests.factories import UserFactory
from tests.telegram_bot.bot_api import BOT_USERNAME, text_update
from tests.telegram_bot.conftest import deliver, flush, link

pytestmark = pytest.mark.django_db

CHAT = 501


def _code(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("telegram_link"))
    assert response.status_code == 200
    match = re.search(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)", response.content.decode())
    client.logout()
    return match.group(1)


def test_the_account_page_offers_the_link_only_where_telegram_is_on(client, bot, team):
    client.force_login(team.lead)
    page = client.get(reverse("account")).content.decode()
    assert "Link Telegram" in page
    outsider = UserFactory()
    client.force_login(outsider)
    assert "Link Telegram" not in client.get(reverse("account")).content.decode()


def test_the_account_page_says_nothing_of_telegram_without_a_bot_token(client, team):
    client.force_login(team.lead)
    assert "Telegram" not in client.get(reverse("account")).content.decode()
    response = client.post(reverse("telegram_link"), follow=True)
    assert "Telegram is not set up" in response.content.decode()


def test_start_with_the_code_links_the_chat_and_greets_by_name(client, bot, team):
    link(client, team.lead, CHAT)
    saved = Link.objects.get(user=team.lead)
    assert (saved.chat_id, saved.username) == (CHAT, f"user{CHAT}")
    flush()
    assert "Linked" in bot.texts(CHAT)[0]
    assert team.lead.get_full_name() in bot.texts(CHAT)[0]
    client.force_login(team.lead)
    page = client.get(reverse("account")).content.decode()
    assert "Your Telegram is linked" in page and f"@user{CHAT}" in page


def test_a_code_works_once(client, bot, team):
    code = _code(client, team.lead)
    deliver(client, text_update(CHAT, f"/start {code}"))
    deliver(client, text_update(CHAT + 1, f"/start {code}"))
    assert list(Link.objects.values_list("chat_id", flat=True)) == [CHAT]
    flush()
    assert "expired or was already used" in bot.texts(CHAT + 1)[0]


def test_a_code_expires_after_fifteen_minutes(client, bot, team):
    code = _code(client, team.lead)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        deliver(client, text_update(CHAT, f"/start {code}"))
    assert not Link.objects.exists()


def test_a_new_code_replaces_the_old_one(client, bot, team):
    first = _code(client, team.lead)
    second = _code(client, team.lead)
    deliver(client, text_update(CHAT, f"/start {first}"))
    assert not Link.objects.exists()
    deliver(client, text_update(CHAT, f"/start {second}"))
    assert Link.objects.get().user == team.lead


def test_a_made_up_code_links_nothing(client, bot, team):
    deliver(client, text_update(CHAT, "/start " + "A" * 32))
    deliver(client, text_update(CHAT, "/checkin"))
    assert not Link.objects.exists()
    flush()
    texts = bot.texts(CHAT)
    assert "expired or was already used" in texts[0]
    assert "not linked to an account yet" in texts[1]


def test_linking_a_chat_to_a_second_person_moves_it(client, bot, team):
    link(client, team.lead, CHAT)
    link(client, team.coach, CHAT)
    assert list(Link.objects.values_list("user", flat=True)) == [team.coach.pk]


def test_unlinking_from_the_account_page_and_from_the_bot(client, bot, team):
    link(client, team.lead, CHAT)
    client.force_login(team.lead)
    client.post(reverse("telegram_unlink"))
    assert not Link.objects.exists()
    link(client, team.lead, CHAT)
    deliver(client, text_update(CHAT, "/unlink"))
    assert not Link.objects.exists()
    deliver(client, text_update(CHAT, "/checkin"))
    flush()
    assert "not linked to an account yet" in bot.texts(CHAT)[-1]


def test_the_notification_preference_is_saved(client, bot, team):
    link(client, team.lead, CHAT)
    client.force_login(team.lead)
    client.post(reverse("telegram_preferences"), {})
    assert Link.objects.get().notify is False
    client.post(reverse("telegram_preferences"), {"notify": "on"})
    assert Link.objects.get().notify is True


def test_the_bot_speaks_the_persons_language(client, bot, team):
    team.lead.preferred_language = "ru"
    team.lead.save()
    link(client, team.lead, CHAT)
    flush()
    assert OutgoingMessage.objects.count() == 1
    assert "/checkin" in bot.texts(CHAT)[0]
    assert re.search("[А-Яа-я]", bot.texts(CHAT)[0]), bot.texts(CHAT)[0]


def test_the_admin_turns_telegram_on_and_off_for_their_accelerator(client, bot, team):
    from members.models import AcceleratorRole
    from telegram_bot.models import BotSwitch
    from tests.factories import GrantFactory

    admin = GrantFactory(accelerator=team.accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    client.force_login(admin)
    home = client.get(reverse("manage_home", args=[team.accelerator.slug])).content.decode()
    assert reverse("telegram_settings", args=[team.accelerator.slug]) in home
    client.post(reverse("telegram_settings", args=[team.accelerator.slug]), {})
    assert BotSwitch.objects.get(accelerator=team.accelerator).enabled is False
    page = client.get(reverse("telegram_settings", args=[team.accelerator.slug])).content.decode()
    assert 'id="telegram-enabled" name="enabled">' in page
    client.post(reverse("telegram_settings", args=[team.accelerator.slug]), {"enabled": "on"})
    assert BotSwitch.objects.get(accelerator=team.accelerator).enabled is True
