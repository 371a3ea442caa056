"""Row ids posted in plain fields (``seat``, ``invitation``, ``notification``), read safely."""

import re

MAX_ID = 2**63 - 1  # a BigAutoField
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def posted_id(value) -> int | None:
    """The id in ``value``, or None when it is not one (``abc``, ``²``, ``1.5``, ``-1``, too large).

    ``str.isdigit()`` accepts ``²``, which ``int()`` then refuses, and ``int()`` accepts spaces and
    signs: both gave 500s (issue 15, point 12). Only ASCII digits that fit the column count.
    """
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
