"""The cohort team page: every challenge's seats set in one form, read into a plan, confirmed, saved.

The form has, for each challenge, a field per role (``c<challenge id>-<role>``) where people are
written as in the challenge-list file (``members.people``: "Nodira Karimova <nodira@soliq.uz>",
several separated by semicolons), a "Remove" box per current seat (``remove`` = seat id), and one
row for every challenge at once (``all-coach``, ``all-sponsor``: each challenge still without one;
``all-member``: every challenge).

``plan_team`` turns a posted form into what would change, against the seats as they are now: the
people to add (known, or to invite), the team leads replaced and the seats removed, or the
problems, field by field. Replacing and removing are shown to the admin to confirm first; the
confirmation carries ``team_state``, so a team changed by someone else meanwhile is shown again
rather than overwritten.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.ids import posted_id
from members.models import Membership
from members.people import PeopleLookup, Resolved, parse_people

from .importing import MESSAGES

ROLES = [Membership.Role.TEAM_LEAD, Membership.Role.COACH, Membership.Role.SPONSOR, Membership.Role.MEMBER]
ALL_ROLES = [Membership.Role.COACH, Membership.Role.SPONSOR, Membership.Role.MEMBER]
# Filled in "for every challenge": only where the challenge has nobody in that role yet.
FILL_GAPS = {Membership.Role.COACH, Membership.Role.SPONSOR}


def field_name(challenge_id: int | None, role: str) -> str:
    return f"all-{role}" if challenge_id is None else f"c{challenge_id}-{role}"


def team_state(seats: list[Membership]) -> str:
    """A short fingerprint of the seats as they are: changes when anyone adds or removes one."""
    text = ",".join(f"{s.pk}:{s.challenge_id}:{s.user_id}:{s.role}" for s in sorted(seats, key=lambda s: s.pk))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Person:
    """Who a change is about: a known person, or an address and name to invite."""

    label: str
    email: str
    user_id: int | None = None
    invite_name: str = ""

    @property
    def key(self) -> tuple:
        return ("user", self.user_id) if self.user_id else ("invite", self.email)


@dataclass
class Change:
    challenge: object
    role: str
    person: Person | None = None  # who is added (None for a plain removal)
    seat: Membership | None = None  # the seat taken away (a removal, or the team lead replaced)

    @property
    def role_label(self) -> str:
        return str(Membership.Role(self.role).label)


@dataclass
class TeamPlan:
    adds: list[Change] = field(default_factory=list)
    replacements: list[Change] = field(default_factory=list)
    removals: list[Change] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.replacements or self.removals)

    @property
    def is_empty(self) -> bool:
        return not (self.adds or self.replacements or self.removals)

    @property
    def invites(self) -> dict[str, str]:
        changes = self.adds + self.replacements
        return {c.person.email: c.person.invite_name for c in changes if c.person and not c.person.user_id}


def _message(resolved: Resolved) -> str:
    value = resolved.written.email or resolved.written.text
    return str(MESSAGES[resolved.problem]) % {"value": value}


class _Planner:
    """One plan being built: the people known, the seats each challenge will have."""

    def __init__(self, *, cohort, challenges: list, data):
        self.data = data
        self.challenges = challenges
        self.plan = TeamPlan()
        self.names = {(c.pk, role): field_name(c.pk, role) for c in challenges for role in ROLES}
        written = [w for name in self._fields() for w in parse_people(data.get(name, ""))]
        self.lookup = PeopleLookup(accelerator=cohort.accelerator, written=written)
        self.users = {}
        # Who holds each role on each challenge once the plan is carried out.
        self.seated: dict[tuple[int, str], set[tuple]] = {}
        for challenge in challenges:
            for seat in challenge.memberships.all():
                self.seated.setdefault((challenge.pk, seat.role), set()).add(("user", seat.user_id))
                self.users[seat.user_id] = seat.user

    def _fields(self) -> list[str]:
        return [*self.names.values(), *(field_name(None, role) for role in ALL_ROLES)]

    def _people(self, name: str) -> list[Person]:
        people = []
        for written in parse_people(self.data.get(name, "")):
            resolved = self.lookup.resolve(written)
            if resolved.problem:
                self.plan.errors.setdefault(name, []).append(_message(resolved))
            elif resolved.user_id:
                people.append(
                    Person(label=written.name or written.email, email=written.email, user_id=resolved.user_id)
                )
            else:
                people.append(
                    Person(label=resolved.invite_name, email=resolved.invite_email, invite_name=resolved.invite_name)
                )
        return people

    def removals(self) -> None:
        wanted = {posted_id(value) for value in self.data.getlist("remove")} - {None}
        for challenge in self.challenges:
            for seat in challenge.memberships.all():
                if seat.pk in wanted:
                    self.plan.removals.append(Change(challenge=challenge, role=seat.role, seat=seat))
                    self.seated[(challenge.pk, seat.role)].discard(("user", seat.user_id))

    def team_lead(self, challenge) -> None:
        name = self.names[(challenge.pk, Membership.Role.TEAM_LEAD)]
        people = self._people(name)
        if len(people) > 1:
            self.plan.errors.setdefault(name, []).append(_("A challenge has one team lead: write one person."))
            return
        if not people:
            return
        person = people[0]
        current = [s for s in challenge.memberships.all() if s.role == Membership.Role.TEAM_LEAD]
        if current and current[0].user_id == person.user_id:
            return
        removed = [c for c in self.plan.removals if c.seat in current]
        for change in removed:  # removing the team lead and naming another one is replacing them
            self.plan.removals.remove(change)
        change = Change(challenge=challenge, role=Membership.Role.TEAM_LEAD, person=person)
        if current:
            change.seat = current[0]
            self.plan.replacements.append(change)
        else:
            self.plan.adds.append(change)
        self.seated[(challenge.pk, Membership.Role.TEAM_LEAD)] = {person.key}

    def add(self, challenge, role: str, people: list[Person]) -> None:
        seated = self.seated.setdefault((challenge.pk, role), set())
        for person in people:
            if person.key not in seated:
                seated.add(person.key)
                self.plan.adds.append(Change(challenge=challenge, role=role, person=person))

    def build(self) -> TeamPlan:
        self.removals()
        for challenge in self.challenges:
            self.team_lead(challenge)
            for role in ALL_ROLES:
                self.add(challenge, role, self._people(self.names[(challenge.pk, role)]))
        for role in ALL_ROLES:
            people = self._people(field_name(None, role))
            for challenge in self.challenges:
                if role in FILL_GAPS and self.seated.get((challenge.pk, role)):
                    continue
                self.add(challenge, role, people)
        return self.plan


def plan_team(*, cohort, challenges: list, data) -> TeamPlan:
    """What the posted team form would change (see the module's docstring); nothing is saved."""
    return _Planner(cohort=cohort, challenges=challenges, data=data).build()
