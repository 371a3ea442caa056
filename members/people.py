"""People written as text: "Nodira Karimova <nodira@soliq.uz>", one or several, and who they are.

The same way of naming people serves the challenge-list file's team columns and the cohort team
page, so what an admin learns in one place works in the other:

- a person is an e-mail address and, for someone not yet on the platform, their full name, in any
  order: ``Nodira Karimova <nodira@soliq.uz>`` (what Outlook and Gmail copy), ``nodira@soliq.uz
  Nodira Karimova`` or ``nodira@soliq.uz (Nodira Karimova)``; someone already on the platform may
  also be named by their full name alone, exactly as the platform has it;
- several people are separated by semicolons (``;``, Arabic ``؛``) or line breaks; commas also
  separate bare addresses (``a@x.org, b@x.org``), but never split a name ("Karimova, Nodira").

``PeopleLookup`` matches what was written against the people an accelerator's admins may assign
(``people_known_to``): by e-mail address whatever its case, or by exact full name when exactly one
person has it. Someone only invited to the accelerator is matched by the address and the name the
invitation gave them, never by the account's own name. Addresses it does not know are to be
invited, which needs a full name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower

from core.text import is_one_line

from .invitations import open_invitations, people_known_to

NAME_MAX_LENGTH = 200

_PEOPLE_SEPARATORS = re.compile(r"[;؛\n|]")
# Linear-time patterns only: these run on whatever a form or a spreadsheet cell holds.
_ANGLE = re.compile(r"<([^<>]*)>")
_TOKENS = re.compile(r"[\s,()\"<>]+")
_NAME_TRIM = " \t\"'()<>,"


@dataclass(frozen=True)
class Written:
    """One person as written: the address (may be empty when only a name was written) and name."""

    text: str
    email: str
    name: str


def parse_people(text: str) -> list[Written]:
    """Every person a cell or field names, in order (see the module's docstring for the forms)."""
    written: list[Written] = []
    for part in _PEOPLE_SEPARATORS.split(text or ""):
        part = part.strip()
        if part:
            written += _parse_part(part)
    return written


def _parse_part(part: str) -> list[Written]:
    angled = next((m for m in _ANGLE.finditer(part) if "@" in m.group(1)), None)
    if angled is not None:  # "Full Name <address>"
        rest = part[: angled.start()] + " " + part[angled.end() :]
        return [Written(part, angled.group(1).strip().lower(), _clean_name(rest))]
    tokens = [token for token in _TOKENS.split(part) if token]
    addresses = [token for token in tokens if "@" in token]
    if len(addresses) > 1:  # "a@x.org, b@x.org": bare addresses separated by commas or spaces
        return [Written(address, address.lower(), "") for address in addresses]
    if not addresses:
        return [Written(part, "", _clean_name(part))]
    name = " ".join(token for token in tokens if token != addresses[0])
    return [Written(part, addresses[0].lower(), _clean_name(name))]


def _clean_name(text: str) -> str:
    return " ".join(text.strip(_NAME_TRIM).split()).strip(_NAME_TRIM)


def written_form(name: str, email: str) -> str:
    """How a person is written back into a field: "Full Name <address>" (or the address alone)."""
    return f"{name} <{email}>" if name else email


# Why a written person could not be taken, as codes the callers translate in their own words.
INVALID_EMAIL = "invalid_email"
NEEDS_NAME = "needs_name"
NAME_NOT_FOUND = "name_not_found"
NAME_AMBIGUOUS = "name_ambiguous"
BAD_NAME = "bad_name"


@dataclass(frozen=True)
class Resolved:
    """A written person, resolved: a known person's id, or an address and name to invite, or why not."""

    written: Written
    user_id: int | None = None
    invite_email: str = ""
    invite_name: str = ""
    problem: str = ""

    @property
    def key(self) -> tuple:
        return ("user", self.user_id) if self.user_id else ("invite", self.invite_email)


class PeopleLookup:
    """The people an accelerator's admins may assign, fetched once for everything written.

    Four queries whatever the number of people written: by address and by full name, among the
    people who belong and among the accelerator's open invitations (by the name as typed).
    """

    def __init__(self, *, accelerator, written: list[Written]):
        known = people_known_to(accelerator)
        invited = open_invitations(accelerator).filter(user__is_active=True)
        # Text with a NUL byte cannot be a parameter of a PostgreSQL query (and is nobody's name).
        emails = sorted({w.email for w in written if w.email and "\x00" not in w.email})
        names = sorted({w.name for w in written if w.name and not w.email and "\x00" not in w.name})
        self.by_email: dict[str, int] = {}
        for start in range(0, len(emails), 2000):
            batch = emails[start : start + 2000]
            rows = known.annotate(address=Lower("email")).filter(address__in=batch).values_list("address", "id")
            self.by_email.update(rows)
            self.by_email.update(
                invited.annotate(address=Lower("user__email"))
                .filter(address__in=batch)
                .values_list("address", "user_id")
            )
        self.by_name: dict[str, list[int]] = {}
        if names:
            # Exact names too: SQLite's lower() folds ASCII letters only.
            folded = [name.lower() for name in names]
            rows = known.annotate(folded=Lower("full_name")).filter(Q(full_name__in=names) | Q(folded__in=folded))
            typed = invited.annotate(folded=Lower("full_name")).filter(Q(full_name__in=names) | Q(folded__in=folded))
            for user_id, full_name in [
                *rows.values_list("id", "full_name"),
                *typed.values_list("user_id", "full_name"),
            ]:
                self.by_name.setdefault(full_name.lower(), []).append(user_id)

    def resolve(self, written: Written) -> Resolved:
        if "\x00" in written.text:
            return Resolved(written, problem=INVALID_EMAIL if written.email else BAD_NAME)
        if not written.email:
            matches = self.by_name.get(written.name.lower(), [])
            if len(matches) == 1:
                return Resolved(written, user_id=matches[0])
            return Resolved(written, problem=NAME_AMBIGUOUS if matches else NAME_NOT_FOUND)
        try:
            validate_email(written.email)
        except ValidationError:
            return Resolved(written, problem=INVALID_EMAIL)
        user_id = self.by_email.get(written.email)
        if user_id is not None:
            return Resolved(written, user_id=user_id)
        if not written.name:
            return Resolved(written, problem=NEEDS_NAME)
        if len(written.name) > NAME_MAX_LENGTH or not is_one_line(written.name):
            return Resolved(written, problem=BAD_NAME)
        return Resolved(written, invite_email=written.email, invite_name=written.name)
