"""Calling the Bot API through python-telegram-bot, from synchronous code (Celery tasks).

``BotSession`` keeps one event loop and one initialised ``telegram.Bot`` for a batch of calls; between
calls the loop is idle, so the caller may use the ORM (Django refuses it only inside a running loop).
"""

from __future__ import annotations

import asyncio

from telegram import Bot, InlineKeyboardMarkup
from telegram.request import HTTPXRequest

from .config import BotConfig

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0


class BotSession:
    def __init__(self, config: BotConfig):
        request = HTTPXRequest(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
        self.bot = Bot(config.token, base_url=config.base_url, request=request)
        self.loop = asyncio.new_event_loop()

    def __enter__(self) -> BotSession:
        self.loop.run_until_complete(self.bot.initialize())
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.loop.run_until_complete(self.bot.shutdown())
        finally:
            self.loop.close()

    def call(self, method: str, payload: dict):
        """Make one Bot API call; python-telegram-bot raises its ``TelegramError`` subclasses on failure."""
        if method == "answerCallbackQuery":
            coroutine = self.bot.answer_callback_query(payload["callback_query_id"], text=payload.get("text"))
        else:
            markup = payload.get("reply_markup")
            coroutine = self.bot.send_message(
                chat_id=payload["chat_id"],
                text=payload["text"],
                reply_markup=InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None,
                disable_web_page_preview=True,
            )
        return self.loop.run_until_complete(coroutine)
