import os

# python-telegram-bot's coming behaviour, chosen now: RetryAfter.retry_after is a timedelta (outbox reads both).
os.environ.setdefault("PTB_TIMEDELTA", "true")
