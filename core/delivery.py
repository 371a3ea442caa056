"""Sending e-mails one by one, so that one message the mail system refuses never takes its batch down.

``send_each`` sends over one connection and reports which messages went and which failed (a
header Django refuses, a recipient the server refuses, a server that hung up). Callers mark a
row sent only when its message went; the e-mail tasks retry the failed ones with backoff and,
once their retries are spent, mark them failed, which the Django admin shows (``give_up``).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from django.core.mail import EmailMessage, get_connection

log = logging.getLogger(__name__)

ERROR_LENGTH = 500


@dataclass
class Delivery:
    sent: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)  # key -> why

    def __iadd__(self, other: Delivery) -> Delivery:
        self.sent += other.sent
        self.failed.update(other.failed)
        return self


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def send_each(messages: Iterable[tuple[Hashable, EmailMessage]]) -> Delivery:
    """Send each ``(key, message)`` on its own; never raises for one message's failure."""
    delivery = Delivery()
    messages = list(messages)
    if not messages:
        return delivery
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the server is unreachable: every message failed, all will retry
        log.warning("mail server unreachable: %s", error)
        delivery.failed = {key: describe(error) for key, _message in messages}
        return delivery
    try:
        for key, message in messages:
            try:
                went = connection.send_messages([message])
            except Exception as error:
                log.warning("e-mail to %s not sent: %s", message.to, describe(error))
                delivery.failed[key] = describe(error)
            else:
                if went:
                    delivery.sent.append(key)
                else:
                    delivery.failed[key] = "not accepted by the mail backend"
    finally:
        try:
            connection.close()
        except Exception as error:  # closing a broken connection; what went, went
            log.warning("closing the mail connection: %s", error)
    return delivery
