"""Check-ins, blockers and stations through the bot: a few messages, the web form's own checks, the
same services, nothing saved before the person confirms, and nobody reaching another's challenge."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.models import Blocker, CheckIn, Station
from members.models import Membership
from telegram_bot.models import Conversation, OutgoingMessage
from tests.factories import UserFactory
from tests.telegram_bot.bot_api import button_update, text_update
from tests.telegram_bot.conftest import deliver, flush, link, make_bot_team

pytestmark = pytest.mark.django_db

CHAT = 601


def say(client, text, chat=CHAT):
    assert deliver(client, text_update(chat, text)).status_code == 200


def press(client, data, chat=CHAT):
    assert deliver(client, button_update(chat, data)).status_code == 200


def last_reply(bot, chat=CHAT) -> str:
    flush()
    return bot.texts(chat)[-1]


@pytest.fixture
def linked(client, bot, team):
    link(client, team.lead, CHAT)
    return team


def post_checkin(client, value="31.5", confidence="4"):
    say(client, "/checkin")
    say(client, value)
    say(client, "Opened two more service windows")
    say(client, "/skip")
    press(client, f"pick:{confidence}")


def test_a_checkin_in_a_few_messages_reaches_the_challenge_page(client, bot, linked):
    say(client, "/checkin")
    question = last_reply(bot)
    assert linked.challenge.title in question and "Baseline 40, target 20" in question
    say(client, "31.5")
    assert "What did the team do" in last_reply(bot)
    say(client, "Opened two more service windows")
    assert "next steps" in last_reply(bot)
    press(client, "skip")
    assert "How confident" in last_reply(bot)
    press(client, "pick:4")
    summary = last_reply(bot)
    assert "31.5" in summary and "Opened two more service windows" in summary
    assert not CheckIn.objects.exists(), "nothing is saved before the person confirms"
    press(client, "ok")
    assert "Check-in posted" in last_reply(bot)
    checkin = CheckIn.objects.get()
    assert (checkin.value, checkin.author, checkin.confidence) == (Decimal("31.5"), linked.lead, 4)
    client.force_login(linked.coach)
    page = client.get(reverse("challenge_detail", args=[linked.challenge.pk])).content.decode()
    assert "Opened two more service windows" in page
    assert not Conversation.objects.exists()


def test_every_button_press_is_answered(client, bot, linked):
    post_checkin(client)
    press(client, "ok")
    flush()
    answered = bot.sent(method="answerCallbackQuery")
    assert len(answered) == 2  # the confidence button and the confirmation (the skip was typed)


def test_the_value_is_checked_by_the_forms_own_rules(client, bot, linked):
    say(client, "/checkin")
    say(client, "about thirty")
    assert "Enter a number" in last_reply(bot)
    say(client, "-5")
    assert "at least 0" in last_reply(bot)
    say(client, "99999999")
    assert "far outside the goal's range" in last_reply(bot)
    say(client, "31")
    assert "What did the team do" in last_reply(bot)
    say(client, "   ")
    assert "Say what the team did" in last_reply(bot)


def test_a_russian_team_lead_types_a_decimal_comma(client, bot, team):
    team.lead.preferred_language = "ru"
    team.lead.save()
    link(client, team.lead, CHAT)
    post_checkin(client, value="26,5")
    press(client, "ok")
    assert CheckIn.objects.get().value == Decimal("26.5")


def test_a_second_checkin_within_a_day_is_a_correction_as_on_the_web(client, bot, linked):
    post_checkin(client, value="31")
    press(client, "ok")
    post_checkin(client, value="30")
    press(client, "ok")
    assert "saved as a correction" in last_reply(bot)
    checkin = CheckIn.objects.get()
    assert (checkin.value, checkin.version, checkin.revisions.count()) == (Decimal("30"), 2, 1)


def test_cancel_saves_nothing(client, bot, linked):
    post_checkin(client)
    press(client, "cancel")
    assert "nothing was saved" in last_reply(bot)
    press(client, "ok")
    assert "conversation that has ended" in last_reply(bot)
    assert not CheckIn.objects.exists()


def test_a_challenge_of_someone_else_cannot_be_picked(client, bot, linked):
    other = make_bot_team()
    second = Membership.objects.create(
        challenge=make_bot_team().challenge, user=linked.lead, role=Membership.Role.COACH
    )
    say(client, "/checkin")
    question = bot.wait_for(lambda: (flush(), bot.sent(CHAT))[1][-1])
    buttons = [b["callback_data"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert f"pick:{other.challenge.pk}" not in buttons and f"pick:{second.challenge_id}" in buttons
    press(client, f"pick:{other.challenge.pk}")
    assert "Choose one of the challenges" in last_reply(bot)
    press(client, f"pick:{second.challenge_id}")
    assert "What is the metric's value" in last_reply(bot)


def test_a_member_who_may_not_post_is_told_so(client, bot, team):
    link(client, team.member, CHAT)
    say(client, "/checkin")
    assert "Only team leads and coaches post progress" in last_reply(bot)


def test_losing_the_seat_mid_conversation_ends_it(client, bot, linked):
    post_checkin(client)
    Membership.objects.filter(user=linked.lead).delete()
    press(client, "ok")
    assert "no longer post" in last_reply(bot)
    assert not CheckIn.objects.exists()


def test_raising_a_blocker(client, bot, linked):
    say(client, "/blocker")
    assert "What is blocking" in last_reply(bot)
    say(client, "The registry will not share data")
    press(client, "pick:high")
    assert "Owner" in last_reply(bot)
    press(client, f"pick:{UserFactory().pk}")
    assert "Choose a member of this challenge's team" in last_reply(bot)
    press(client, f"pick:{linked.coach.pk}")
    assert "Due date" in last_reply(bot)
    say(client, "31.02.2027")
    assert "Enter a date" in last_reply(bot)
    say(client, "2020-01-01")
    assert "cannot be in the past" in last_reply(bot)
    due = timezone.localdate() + timedelta(days=7)
    say(client, due.isoformat())
    press(client, "ok")
    assert "Blocker raised" in last_reply(bot)
    blocker = Blocker.objects.get()
    assert (blocker.description, blocker.severity, blocker.raised_by, blocker.owner, blocker.decision_needed_by) == (
        "The registry will not share data",
        "high",
        linked.lead,
        linked.coach,
        due,
    )
    client.force_login(linked.sponsor)
    page = client.get(reverse("challenge_detail", args=[linked.challenge.pk])).content.decode()
    assert "The registry will not share data" in page


def test_ticking_off_a_station(client, bot, linked):
    station = Station.objects.filter(challenge=linked.challenge).exclude(state=Station.State.DONE).first()
    say(client, "/station")
    flush()
    keyboard = bot.sent(CHAT)[-1]["reply_markup"]["inline_keyboard"]
    assert any(b["callback_data"] == f"pick:{station.pk}" for row in keyboard for b in row)
    press(client, f"pick:{station.pk}")
    press(client, "today")
    press(client, "ok")
    assert "Station marked done" in last_reply(bot)
    station.refresh_from_db()
    assert station.state == Station.State.DONE and station.done_by == linked.lead


def test_a_redelivered_update_is_handled_once(client, bot, linked):
    post_checkin(client)
    confirm = button_update(CHAT, "ok")
    deliver(client, confirm)
    deliver(client, confirm)
    flush()
    assert CheckIn.objects.count() == 1
    assert sum("Check-in posted" in text for text in bot.texts(CHAT)) == 1
    assert OutgoingMessage.objects.filter(key__startswith=f"update:{confirm['update_id']}:").count() == 2


@pytest.mark.parametrize(
    ("body", "secret", "status"),
    [
        ({"update_id": 1, "message": {}}, None, 403),
        ({"update_id": 1, "message": {}}, "wrong", 403),
        ("not json", "ok", 400),
        ({"message": {"text": "/checkin"}}, "ok", 400),
        ({"update_id": "1"}, "ok", 400),
        ({"update_id": 5, "message": "text"}, "ok", 400),
        ([1, 2], "ok", 400),
    ],
)
def test_forged_or_malformed_updates_are_refused(client, bot, linked, body, secret, status):
    from tests.telegram_bot.conftest import SECRET, SECRET_HEADER

    before = OutgoingMessage.objects.count()
    headers = {SECRET_HEADER: SECRET if secret == "ok" else secret} if secret else {}
    data = body if isinstance(body, str) else __import__("json").dumps(body)
    response = client.post(reverse("telegram_webhook"), data=data, content_type="application/json", headers=headers)
    assert response.status_code == status
    assert OutgoingMessage.objects.count() == before


def test_without_a_configured_bot_the_webhook_refuses_everything(client, team):
    assert deliver(client, text_update(CHAT, "/start x")).status_code == 403
