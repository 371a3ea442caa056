"""Sending to Telegram: once, within its rate limits, retried with backoff, failures shown to admins;
notifications, reminders and the sponsor's digest relayed to linked people who want them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import reminders
from challenges.models import Notification
from challenges.services import blocker_raise
from telegram_bot import outbox, relay
from telegram_bot.models import BotSwitch, Link, OutgoingMessage
from tests.telegram_bot.conftest import flush, link

pytestmark = pytest.mark.django_db

CHAT = 701


def queue(n=1, chat=CHAT, **fields):
    return [
        OutgoingMessage.objects.create(key=f"test:{chat}:{i}", chat_id=chat, payload={"text": f"message {i}"}, **fields)
        for i in range(n)
    ]


def test_each_message_is_sent_once_and_marked_after_telegram_said_ok(bot):
    queue(3)
    result = outbox.send_due(pace=outbox.Pace(sleep=lambda s: None))
    assert (result.sent, result.retried, result.failed) == (3, 0, 0)
    assert bot.texts(CHAT) == ["message 0", "message 1", "message 2"]
    assert not OutgoingMessage.objects.filter(sent_at=None).exists()
    flush()
    assert len(bot.texts(CHAT)) == 3, "a second run sends nothing again"


def test_a_429_puts_the_rest_of_the_batch_back_until_telegram_allows(bot):
    queue(3)
    bot.fail_next(429, "Too Many Requests: retry after 7", retry_after=7)
    result = outbox.send_due(pace=outbox.Pace(sleep=lambda s: None))
    assert (result.sent, result.retried) == (0, 3)
    waiting = OutgoingMessage.objects.filter(sent_at=None, claimed_at=None)
    assert waiting.count() == 3
    assert all(timedelta(seconds=6) < m.next_attempt_at - timezone.now() <= timedelta(seconds=7) for m in waiting)
    flush()
    assert bot.texts(CHAT) == [], "nothing goes before Telegram's pause is over"
    outbox.send_due(now=timezone.now() + timedelta(seconds=8), pace=outbox.Pace(sleep=lambda s: None))
    assert bot.texts(CHAT) == ["message 0", "message 1", "message 2"]


def test_a_server_error_is_retried_with_a_growing_pause_then_given_up(bot):
    [message] = queue(1)
    now = timezone.now()
    pauses = []
    for _attempt in range(outbox.MAX_ATTEMPTS):
        bot.fail_next(502, "Bad Gateway")
        outbox.send_due(now=now, pace=outbox.Pace(sleep=lambda s: None))
        message.refresh_from_db()
        if message.failed_at:
            break
        pauses.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert pauses[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert message.failed_at is not None and message.sent_at is None
    assert message.attempts == outbox.MAX_ATTEMPTS and "Bad Gateway" in message.error


def test_telegram_unreachable_leaves_the_messages_for_later(bot):
    queue(2)
    bot.server.shutdown()
    bot.server.server_close()
    result = outbox.send_due(pace=outbox.Pace(sleep=lambda s: None))
    assert (result.sent, result.retried) == (0, 2)
    assert OutgoingMessage.objects.filter(claimed_at=None, sent_at=None, failed_at=None, attempts=1).count() == 2


def test_a_person_who_blocked_the_bot_fails_at_once_and_the_admin_sees_it(client, bot, team):
    [message] = queue(1, accelerator=team.accelerator, user=team.lead)
    bot.blocked_chats.add(CHAT)
    flush()
    message.refresh_from_db()
    assert message.failed_at is not None and message.attempts == 1 and "blocked" in message.error
    admin = _admin_of(team.accelerator)
    client.force_login(admin)
    page = client.get(reverse("telegram_settings", args=[team.accelerator.slug])).content.decode()
    assert "bot was blocked by the user" in page and team.lead.get_full_name() in page


def test_the_pace_keeps_one_message_a_second_per_chat_and_25_a_second_overall():
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        clock[0] += seconds

    pace = outbox.Pace(sleep=sleep, clock=lambda: clock[0])
    pace.wait(1)
    pace.wait(2)
    pace.wait(1)
    assert slept == [0.04, 0.96]


def test_notifications_and_reminders_reach_linked_people_who_want_them(client, bot, team):
    link(client, team.lead, CHAT)
    link(client, team.coach, CHAT + 1)
    Link.objects.filter(user=team.coach).update(notify=False)
    flush()
    made = reminders.reminders_send_due(now=timezone.now().replace(hour=6))  # 11:00 in Tashkent
    assert made, "the world has a check-in due"
    blocker_raise(challenge=team.challenge, by=team.lead, description="Data sharing stalled", severity="high")
    assert relay.relay_notifications() == 1  # the lead's reminder; the coach asked for no Telegram copies
    assert relay.relay_notifications() == 0, "one copy per notification"
    flush()
    reminder = bot.texts(CHAT)[-1]
    assert team.challenge.title in reminder and f"/challenges/{team.challenge.pk}/" in reminder
    assert len(bot.texts(CHAT + 1)) == 1  # only its "Linked" greeting


def test_nothing_is_relayed_where_the_accelerator_turned_telegram_off(client, bot, team):
    link(client, team.lead, CHAT)
    BotSwitch.objects.filter(accelerator=team.accelerator).update(enabled=False)
    Notification.objects.create(user=team.lead, challenge=team.challenge, message="Check-in due")
    assert relay.relay_notifications() == 0


def test_the_sponsors_weekly_digest(client, bot, team):
    link(client, team.sponsor, CHAT)
    blocker_raise(challenge=team.challenge, by=team.lead, description="Data sharing stalled", severity="high")
    assert reminders.sponsor_digests_send()
    assert relay.relay_digests() == 1
    assert relay.relay_digests() == 0
    flush()
    digest = bot.texts(CHAT)[-1]
    assert "weekly digest" in digest and team.challenge.title in digest and "open blockers: 1" in digest


def test_nothing_is_sent_without_a_token(team):
    queue(1)
    assert outbox.send_due().sent == 0
    Notification.objects.create(user=team.lead, challenge=team.challenge, message="x")
    assert relay.relay_notifications() == 0


def _admin_of(accelerator):
    from members.models import AcceleratorRole
    from tests.factories import GrantFactory

    return GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
