"""What the bot may offer a linked person: the challenges they post progress on, where Telegram is on."""

from django.conf import settings
from django.db.models import QuerySet

from challenges.access import challenges_visible_to
from challenges.models import Challenge, Station
from members.access import can_post_progress
from members.models import Membership

WRITER_ROLES = [Membership.Role.TEAM_LEAD, Membership.Role.COACH]


def writable_challenges(user) -> QuerySet[Challenge]:
    """Challenges the person may post check-ins, blockers and stations for, in accelerators with Telegram on."""
    ids = Membership.objects.filter(user=user, role__in=WRITER_ROLES).values("challenge_id")
    return (
        challenges_visible_to(user)
        .filter(pk__in=ids, withdrawn_at=None, cohort__accelerator__telegram__enabled=True)
        .select_related("cohort__accelerator")
        .order_by("cohort__launch_date", "title", "pk")
    )


def writable_challenge(user, pk) -> Challenge | None:
    """The one challenge, if the person may still write to it (asked again at every step)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    challenge = writable_challenges(user).filter(pk=pk).first()
    if challenge is None or not can_post_progress(user, challenge):
        return None
    return challenge


def open_stations(challenge: Challenge) -> list[Station]:
    return list(challenge.stations.exclude(state=Station.State.DONE).order_by("due_on", "pk")[:10])


def language_for(user, telegram_language: str | None = None) -> str:
    """The person's language; for someone not linked yet, Telegram's app language if we speak it."""
    if user is not None:
        seat = Membership.objects.filter(user=user).select_related("challenge__cohort__accelerator").first()
        return user.reading_language(seat.challenge.cohort.accelerator if seat else None)
    codes = {code for code, _name in settings.LANGUAGES}
    short = (telegram_language or "").split("-")[0].lower()
    return short if short in codes else settings.LANGUAGE_CODE


def telegram_account_section(user) -> dict | None:
    """What the account page shows about Telegram, or None when the bot is off here for this person."""
    from .config import bot_config
    from .models import Link

    if bot_config() is None:
        return None
    in_enabled = Membership.objects.filter(user=user, challenge__cohort__accelerator__telegram__enabled=True).exists()
    link = Link.objects.filter(user=user).first()
    if not in_enabled and link is None:
        return None
    return {"link": link}
