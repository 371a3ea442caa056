"""The bot's conversations: a check-in, a blocker or a station, one question at a time.

Every answer is checked by the web form's own field, in the person's language (the same rules, the
same messages, the same way of typing numbers and dates); the last step runs the whole form again
on what was typed and hands it to the same service as the web page. Nothing is saved before the
person confirms, and a challenge they may no longer write to ends the conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges import services
from challenges.forms import CONFIDENCE_CHOICES, BlockerForm, CheckInForm, StationDoneForm
from challenges.models import Blocker, Challenge
from challenges.notifications import challenge_url

from .models import Conversation
from .selectors import open_stations, writable_challenge, writable_challenges

TIMEOUT = timedelta(hours=1)
SKIP, TODAY, CONFIRM, CANCEL = "skip", "today", "ok", "cancel"
FINISHED = "finished"  # the conversation ended with this answer (saved, or nothing left to ask)
TITLE_LENGTH = 60


@dataclass
class Reply:
    text: str
    keyboard: list[list[tuple[str, str]]] | None = None  # rows of (label, callback data)


@dataclass
class Turn:
    """One incoming message or button, and what the bot says back."""

    chat_id: int
    user: object
    replies: list[Reply] = field(default_factory=list)

    def say(self, text: str, keyboard=None) -> None:
        self.replies.append(Reply(text, keyboard))


# --- Starting, answering, ending --------------------------------------------------------------


def start(turn: Turn, kind: str) -> None:
    """Begin a check-in, a blocker or a station; the challenge is asked first unless there is one."""
    Conversation.objects.filter(chat_id=turn.chat_id).delete()
    challenges = list(writable_challenges(turn.user)[:20])
    if not challenges:
        turn.say(_("You have no challenge to post for here. Only team leads and coaches post progress."))
        return
    conversation = Conversation(chat_id=turn.chat_id, user=turn.user, kind=kind, step="challenge", answers={})
    if len(challenges) == 1:
        conversation.challenge = challenges[0]
        conversation.step = FLOWS[kind][1]
    conversation.save()
    ask(turn, conversation, challenges)


def current(turn: Turn) -> Conversation | None:
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("challenge")
        .filter(chat_id=turn.chat_id)
        .first()
    )
    if conversation is None:
        return None
    if conversation.user_id != turn.user.pk or timezone.now() - conversation.updated_at > TIMEOUT:
        conversation.delete()
        turn.say(_("That conversation timed out; nothing was saved. Start again with /checkin, /blocker or /station."))
        return None
    return conversation


def answer(turn: Turn, *, text: str | None = None, choice: str | None = None) -> bool:
    """Take an answer for the conversation under way; False when there is none."""
    conversation = current(turn)
    if conversation is None:
        return False
    if conversation.challenge_id and writable_challenge(turn.user, conversation.challenge_id) is None:
        conversation.delete()
        turn.say(_("You can no longer post for this challenge; nothing was saved."))
        return True
    if choice == CANCEL:
        cancel(turn)
        return True
    step = STEPS[(conversation.kind, conversation.step)]
    problem = step(turn, conversation, text, choice)
    if problem:
        turn.say(problem)
        return True
    if conversation.step == FINISHED:
        return True
    conversation.step = next_step(conversation)
    conversation.save()
    ask(turn, conversation)
    return True


def cancel(turn: Turn) -> None:
    deleted, _rows = Conversation.objects.filter(chat_id=turn.chat_id).delete()
    turn.say(_("Cancelled; nothing was saved.") if deleted else _("There is nothing to cancel."))


def next_step(conversation: Conversation) -> str:
    flow = FLOWS[conversation.kind]
    return flow[flow.index(conversation.step) + 1]


def _finish(conversation: Conversation) -> None:
    conversation.delete()
    conversation.step = FINISHED


# --- The questions ------------------------------------------------------------------------------


def ask(turn: Turn, conversation: Conversation, challenges: list[Challenge] | None = None) -> None:
    QUESTIONS[conversation.step](turn, conversation, challenges)


def _short(text: str) -> str:
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def _ask_challenge(turn, conversation, challenges=None):
    challenges = challenges or list(writable_challenges(turn.user)[:20])
    keyboard = [[(_short(c.title), f"pick:{c.pk}")] for c in challenges]
    turn.say(_("Which challenge?"), keyboard + [[(_("Cancel"), CANCEL)]])


def _ask_value(turn, conversation, _challenges=None):
    form = CheckInForm(challenge=conversation.challenge)
    turn.say(
        "\n".join(
            [
                conversation.challenge.title,
                _("What is the metric's value this period?"),
                str(form.fields["value"].help_text),
            ]
        )
    )


def _ask_done(turn, conversation, _challenges=None):
    turn.say(_("What did the team do in this period?"))


def _ask_next_steps(turn, conversation, _challenges=None):
    turn.say(_("What are the next steps? (or /skip)"), [[(_("Skip"), SKIP)]])


def _ask_confidence(turn, conversation, _challenges=None):
    keyboard = [[(str(label), f"pick:{value}")] for value, label in CONFIDENCE_CHOICES]
    turn.say(_("How confident is the team of reaching the target?"), keyboard)


def _ask_description(turn, conversation, _challenges=None):
    turn.say("\n".join([conversation.challenge.title, _("What is blocking the team?")]))


def _ask_severity(turn, conversation, _challenges=None):
    keyboard = [[(str(label), f"pick:{value}") for value, label in Blocker.Severity.choices]]
    turn.say(_("How severe is it?"), keyboard)


def _ask_owner(turn, conversation, _challenges=None):
    field = BlockerForm(challenge=conversation.challenge).fields["owner"]
    keyboard = [[(_short(field.label_from_instance(person)), f"pick:{person.pk}")] for person in field.queryset[:12]]
    turn.say("\n".join([str(field.label), str(field.help_text)]), keyboard)


def _ask_decision(turn, conversation, _challenges=None):
    field = BlockerForm(challenge=conversation.challenge).fields["decision_needed_by"]
    turn.say("\n".join([str(field.label), str(field.help_text), _("Enter a date, such as 2026-05-31.")]))


def _ask_station(turn, conversation, _challenges=None):
    stations = open_stations(conversation.challenge)
    if not stations:
        _finish(conversation)
        turn.say(_("This challenge has no open station to tick off."))
        return
    keyboard = [[(f"{s.label} · {s.due_on.isoformat()}", f"pick:{s.pk}")] for s in stations]
    turn.say("\n".join([conversation.challenge.title, _("Which station was done?")]), keyboard)


def _ask_done_on(turn, conversation, _challenges=None):
    turn.say(_("On which day was it done? Type a date such as 2026-05-31."), [[(_("Today"), TODAY)]])


def _ask_confirm(turn, conversation, _challenges=None):
    lines = [_("Please check:"), conversation.challenge.title, *SUMMARIES[conversation.kind](conversation)]
    turn.say("\n".join(lines), [[(_("Confirm"), CONFIRM), (_("Cancel"), CANCEL)]])


def _checkin_summary(conversation):
    a = conversation.answers
    confidence = dict(CONFIDENCE_CHOICES).get(int(a["confidence"]), a["confidence"])
    return [
        f"{_('Metric value')}: {a['value']}",
        f"{_('What was done')}: {a['done']}",
        f"{_('Next steps')}: {a.get('next_steps') or '—'}",
        f"{_('Confidence')}: {confidence}",
    ]


def _blocker_summary(conversation):
    a = conversation.answers
    return [
        f"{_('What is blocking')}: {a['description']}",
        f"{_('Severity')}: {Blocker.Severity(a['severity']).label}",
        f"{_('Owner')}: {a['owner_name']}",
        f"{_('Due date')}: {a['decision_needed_by']}",
    ]


def _station_summary(conversation):
    a = conversation.answers
    return [f"{_('Station')}: {a['station_label']}", f"{_('Done on')}: {a['done_on']}"]


# --- The answers --------------------------------------------------------------------------------


def _field_problem(form, name: str) -> str | None:
    form.is_valid()
    errors = form.errors.get(name)
    return " ".join(errors) if errors else None


def _take_challenge(turn, conversation, text, choice):
    value = (choice or "").removeprefix("pick:") if choice else None
    challenge = writable_challenge(turn.user, value) if value else None
    if challenge is None:
        return _("Choose one of the challenges with the buttons.")
    conversation.challenge = challenge
    return None


def _take_value(turn, conversation, text, choice):
    problem = _field_problem(CheckInForm({"value": text or ""}, challenge=conversation.challenge), "value")
    if problem:
        return problem
    conversation.answers["value"] = (text or "").strip()
    return None


def _take_done(turn, conversation, text, choice):
    problem = _field_problem(CheckInForm({"done": text or ""}, challenge=conversation.challenge), "done")
    if problem:
        return problem
    conversation.answers["done"] = text.strip()
    return None


def _take_next_steps(turn, conversation, text, choice):
    if choice == SKIP or (text or "").strip() == "/skip":
        conversation.answers["next_steps"] = ""
        return None
    data = {"next_steps": text or ""}
    problem = _field_problem(CheckInForm(data, challenge=conversation.challenge), "next_steps")
    if problem:
        return problem
    conversation.answers["next_steps"] = (text or "").strip()
    return None


def _take_confidence(turn, conversation, text, choice):
    value = (choice or "").removeprefix("pick:") or (text or "").strip()
    problem = _field_problem(CheckInForm({"confidence": value}, challenge=conversation.challenge), "confidence")
    if problem:
        return problem
    conversation.answers["confidence"] = value
    return None


def _take_description(turn, conversation, text, choice):
    problem = _field_problem(BlockerForm({"description": text or ""}, challenge=conversation.challenge), "description")
    if problem:
        return problem
    conversation.answers["description"] = text.strip()
    return None


def _take_severity(turn, conversation, text, choice):
    value = (choice or "").removeprefix("pick:") or (text or "").strip().lower()
    if value not in Blocker.Severity.values:
        return _("Choose the severity with the buttons.")
    conversation.answers["severity"] = value
    return None


def _take_owner(turn, conversation, text, choice):
    value = (choice or "").removeprefix("pick:")
    form = BlockerForm({"owner": value}, challenge=conversation.challenge)
    problem = _field_problem(form, "owner")
    if problem:
        return problem
    owner = form.cleaned_data["owner"]
    owner_name = form.fields["owner"].label_from_instance(owner)  # as the invitation named them, if only invited
    conversation.answers.update(owner=owner.pk, owner_name=owner_name)
    return None


def _take_decision(turn, conversation, text, choice):
    form = BlockerForm({"decision_needed_by": text or ""}, challenge=conversation.challenge)
    problem = _field_problem(form, "decision_needed_by")
    if problem:
        return problem
    if form.cleaned_data["decision_needed_by"] < conversation.challenge.cohort.accelerator.local_today():
        return _("The decision date cannot be in the past.")  # the service's rule, said before the summary
    conversation.answers["decision_needed_by"] = (text or "").strip()
    return None


def _take_station(turn, conversation, text, choice):
    stations = {str(s.pk): s for s in open_stations(conversation.challenge)}
    station = stations.get((choice or "").removeprefix("pick:"))
    if station is None:
        return _("Choose one of the stations with the buttons.")
    conversation.answers.update(station=station.pk, station_label=station.label)
    return None


def _take_done_on(turn, conversation, text, choice):
    if choice == TODAY:
        text = conversation.challenge.cohort.accelerator.local_today().isoformat()
    problem = _field_problem(StationDoneForm({"done_on": text or ""}), "done_on")
    if problem:
        return problem
    conversation.answers["done_on"] = (text or "").strip()
    return None


def _take_confirm(turn, conversation, text, choice):
    if choice != CONFIRM:
        return _("Use the buttons: Confirm or Cancel.")
    challenge = conversation.challenge
    try:
        done_text = SAVERS[conversation.kind](turn, conversation)
    except services.StaleEdit as error:
        done_text = " ".join(error.messages)
    except ValidationError as error:
        done_text = _("Nothing was saved: %(problem)s") % {"problem": " ".join(error.messages)}
    _finish(conversation)
    turn.say(f"{done_text}\n{challenge_url(challenge.pk)}")
    return None


# --- Saving, through the web forms and the same services ------------------------------------


def _valid(form) -> dict:
    if not form.is_valid():
        raise ValidationError([message for errors in form.errors.values() for message in errors])
    return form.cleaned_data


def _save_checkin(turn, conversation) -> str:
    a = conversation.answers
    data = _valid(
        CheckInForm(
            {"value": a["value"], "done": a["done"], "next_steps": a["next_steps"], "confidence": a["confidence"]},
            challenge=conversation.challenge,
        )
    )
    outcome = services.checkin_submit(
        challenge=conversation.challenge,
        by=turn.user,
        value=data["value"],
        done=data["done"],
        next_steps=data["next_steps"],
        confidence=data["confidence"],
    )
    if outcome.merged or outcome.corrected:
        return _("This period already had your check-in, so your post was saved as a correction of it.")
    return _("Check-in posted. Thank you.")


def _save_blocker(turn, conversation) -> str:
    a = conversation.answers
    data = _valid(
        BlockerForm(
            {
                "description": a["description"],
                "severity": a["severity"],
                "owner": a["owner"],
                "decision_needed_by": a["decision_needed_by"],
            },
            challenge=conversation.challenge,
        )
    )
    services.blocker_raise(challenge=conversation.challenge, by=turn.user, **data)
    return _("Blocker raised. The sponsor and the coach have been told.")


def _save_station(turn, conversation) -> str:
    a = conversation.answers
    data = _valid(StationDoneForm({"done_on": a["done_on"]}))
    station = conversation.challenge.stations.filter(pk=a["station"]).first()
    if station is None:
        raise ValidationError(_("This station no longer exists."))
    services.station_mark_done(station=station, by=turn.user, done_on=data["done_on"])
    return _("Station marked done.")


FLOWS: dict[str, list[str]] = {
    Conversation.Kind.CHECKIN: ["challenge", "value", "done", "next_steps", "confidence", "confirm"],
    Conversation.Kind.BLOCKER: ["challenge", "description", "severity", "owner", "decision", "confirm"],
    Conversation.Kind.STATION: ["challenge", "station", "done_on", "confirm"],
}
QUESTIONS: dict[str, Callable] = {
    "challenge": _ask_challenge,
    "value": _ask_value,
    "done": _ask_done,
    "next_steps": _ask_next_steps,
    "confidence": _ask_confidence,
    "description": _ask_description,
    "severity": _ask_severity,
    "owner": _ask_owner,
    "decision": _ask_decision,
    "station": _ask_station,
    "done_on": _ask_done_on,
    "confirm": _ask_confirm,
}
_TAKERS = {
    "challenge": _take_challenge,
    "value": _take_value,
    "done": _take_done,
    "next_steps": _take_next_steps,
    "confidence": _take_confidence,
    "description": _take_description,
    "severity": _take_severity,
    "owner": _take_owner,
    "decision": _take_decision,
    "station": _take_station,
    "done_on": _take_done_on,
    "confirm": _take_confirm,
}
STEPS = {(kind, step): _TAKERS[step] for kind, flow in FLOWS.items() for step in flow}
SUMMARIES = {
    Conversation.Kind.CHECKIN: _checkin_summary,
    Conversation.Kind.BLOCKER: _blocker_summary,
    Conversation.Kind.STATION: _station_summary,
}
SAVERS = {
    Conversation.Kind.CHECKIN: _save_checkin,
    Conversation.Kind.BLOCKER: _save_blocker,
    Conversation.Kind.STATION: _save_station,
}
