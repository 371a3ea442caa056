"""Whether the bot is on, and how to reach the Bot API: all from the environment (or ``*_FILE``)."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class BotConfig:
    token: str
    webhook_secret: str
    api_url: str
    username: str

    @property
    def base_url(self) -> str:
        """The Bot API's method prefix, without the token (python-telegram-bot appends it)."""
        return f"{self.api_url}/bot"


def bot_config() -> BotConfig | None:
    """The bot's settings, or None when no token is configured: then nothing Telegram is shown or sent."""
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        return None
    return BotConfig(
        token=token,
        webhook_secret=settings.TELEGRAM_WEBHOOK_SECRET,
        api_url=settings.TELEGRAM_API_URL.rstrip("/"),
        username=settings.TELEGRAM_BOT_USERNAME.lstrip("@"),
    )
