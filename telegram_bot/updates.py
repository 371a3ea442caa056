"""What the bot does with one update from Telegram: commands, answers and button presses.

Called by the webhook view inside its transaction, once per update id. Replies are not sent here:
each becomes an ``OutgoingMessage`` (keyed on the update), sent by the worker after the commit.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from telegram import Update

from . import conversation
from .conversation import Reply, Turn
from .linking import link_consume, linked_user, unlink
from .models import Conversation, OutgoingMessage
from .selectors import language_for


class MalformedUpdate(ValueError):
    """The body is JSON but not an update the bot can read."""


def parse(data) -> Update:
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise MalformedUpdate("no update_id")
    try:
        return Update.de_json(data, None)
    except (TypeError, KeyError, ValueError, AttributeError) as error:
        raise MalformedUpdate(str(error)) from error


def handle(update: Update) -> list[OutgoingMessage]:
    """Act on the update and return the replies to queue (not yet saved)."""
    if update.callback_query is not None:
        return _on_button(update)
    message = update.message
    if message is None or message.text is None or message.chat.type != "private":
        return []  # edits, photos, groups: nothing the bot acts on
    user = linked_user(message.chat.id)
    turn = Turn(chat_id=message.chat.id, user=user)
    language = language_for(user, message.from_user.language_code if message.from_user else None)
    with translation.override(language):
        _on_text(turn, message)
        return _queued(update.update_id, turn)


def _on_text(turn: Turn, message) -> None:
    text = message.text.strip()
    if text.startswith("/"):
        command, _space, argument = text.partition(" ")
        command = command.split("@")[0].lower()
        _on_command(turn, command, argument.strip(), message)
        return
    if turn.user is None:
        turn.say(_not_linked_text())
        return
    if not conversation.answer(turn, text=text):
        turn.say(_help_text())


def _on_command(turn: Turn, command: str, argument: str, message) -> None:
    if command == "/start":
        _start(turn, argument, message)
        return
    if turn.user is None:
        turn.say(_not_linked_text())
        return
    if command in ("/checkin", "/blocker", "/station"):
        conversation.start(turn, command[1:])
    elif command == "/skip" and conversation.answer(turn, text="/skip"):
        pass
    elif command == "/cancel":
        conversation.cancel(turn)
    elif command in ("/unlink", "/stop"):
        unlink(user=turn.user)
        turn.say(_("Your Telegram is no longer linked to the platform. You can link it again from your account page."))
    else:
        turn.say(_help_text())


def _start(turn: Turn, code: str, message) -> None:
    if not code:
        turn.say(_help_text() if turn.user else _not_linked_text())
        return
    sender = message.from_user
    user = link_consume(
        code=code,
        chat_id=message.chat.id,
        telegram_user_id=sender.id if sender else message.chat.id,
        username=(sender.username or "") if sender else "",
    )
    if user is None:
        turn.say(
            _("This link has expired or was already used. Make a new one on your account page: %(url)s")
            % {"url": account_url()}
        )
        return
    turn.user = user
    with translation.override(language_for(user)):
        turn.say(
            _("Linked: you will hear from the platform here, %(name)s.") % {"name": user.get_full_name() or user.email}
            + "\n\n"
            + _help_text()
        )


def _on_button(update: Update) -> list[OutgoingMessage]:
    query = update.callback_query
    chat_id = query.message.chat.id if query.message else query.from_user.id
    user = linked_user(chat_id)
    turn = Turn(chat_id=chat_id, user=user)
    with translation.override(language_for(user, query.from_user.language_code)):
        if user is None:
            turn.say(_not_linked_text())
        elif not conversation.answer(turn, choice=query.data or ""):
            turn.say(_("That button belongs to a conversation that has ended. Start again with a command."))
        replies = _queued(update.update_id, turn)
    ack = OutgoingMessage(
        key=f"update:{update.update_id}:answer",
        chat_id=chat_id,
        user=user,
        method=OutgoingMessage.Method.ANSWER_CALLBACK,
        payload={"callback_query_id": query.id},
    )
    return [ack, *replies]


def _queued(update_id: int, turn: Turn) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            key=f"update:{update_id}:{index}", chat_id=turn.chat_id, user=turn.user, payload=_payload(reply)
        )
        for index, reply in enumerate(turn.replies)
    ]


def _payload(reply: Reply) -> dict:
    payload = {"text": reply.text[:4096]}
    if reply.keyboard:
        payload["reply_markup"] = {
            "inline_keyboard": [
                [{"text": label[:64], "callback_data": data[:64]} for label, data in row] for row in reply.keyboard
            ]
        }
    return payload


def account_url() -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse("account")


def _not_linked_text() -> str:
    return _(
        "This chat is not linked to an account yet. Sign in to the platform, open your account page and choose "
        '"Link Telegram": %(url)s'
    ) % {"url": account_url()}


def _help_text() -> str:
    return "\n".join(
        [
            _("What I can do:"),
            "/checkin — " + _("post this period's check-in"),
            "/blocker — " + _("raise a blocker"),
            "/station — " + _("tick off a station"),
            "/cancel — " + _("stop what we are doing"),
            "/unlink — " + _("unlink this chat from your account"),
        ]
    )


__all__ = ["handle", "parse", "MalformedUpdate", "Conversation"]
