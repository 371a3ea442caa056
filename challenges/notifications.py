"""Telling people what happened: an in-app notification plus an e-mail, in each reader's language."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from core.delivery import Delivery, send_each
from core.sql import claim_rows
from core.tasking import enqueue_batches
from core.text import one_line
from members.invitations import masked_names
from members.models import Membership

from .models import Notification, PhaseTransition

# Ids per task: a tick or a reminder run that makes 100,000 rows sends them in bounded tasks.
NOTIFY_BATCH = 500

PHASE_CHANGE_ROLES = [Membership.Role.TEAM_LEAD, Membership.Role.COACH, Membership.Role.SPONSOR]


def challenge_url(challenge_id: int) -> str:
    try:
        return settings.SITE_URL + reverse("challenge_detail", args=[challenge_id])
    except NoReverseMatch:
        return settings.SITE_URL


def send_to_people(
    *, items_by_user: dict, subject_template: str, body_template: str, context: dict | None = None
) -> int:
    """Send one e-mail per person, rendered in that person's language; returns how many went."""
    delivery = deliver_to_people(
        items_by_user=items_by_user, subject_template=subject_template, body_template=body_template, context=context
    )
    return len(delivery.sent)


def deliver_to_people(
    *, items_by_user: dict, subject_template: str, body_template: str, context: dict | None = None
) -> Delivery:
    """Send one e-mail per person over one connection, each on its own; the Delivery's keys are the people.

    The subject is made one line (a title with a line break would make Django refuse the message).
    """
    messages = []
    for user, items in items_by_user.items():
        if not user.email or not user.is_active:
            continue
        accelerator = items[0].get("accelerator") if items else None
        with translation.override(user.reading_language(accelerator)):
            ctx = {"user": user, "items": items, **(context or {})}
            subject = one_line(render_to_string(subject_template, ctx))
            body = render_to_string(body_template, ctx)
        messages.append((user, EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])))
    return send_each(messages)


def notify_phase_changes(*, transitions: list) -> int:
    """Tell each challenge's team lead, coach and sponsor which phase it entered; returns how many rows wait.

    ``transitions`` are (challenge id, phase entered) pairs. The in-app rows are made once each (a
    unique (person, challenge, phase) constraint; a second run for the same pairs makes none) and
    their e-mail copies go through ``send_notification_emails`` like every other notification:
    claimed, marked e-mailed only once sent, retried, and finally listed as failed.
    """
    wanted = {(int(challenge_id), str(phase)) for challenge_id, phase in transitions}
    if not wanted:
        return 0
    by_challenge = defaultdict(list)
    for transition in PhaseTransition.objects.with_keys(wanted).select_related("challenge__cohort__accelerator"):
        by_challenge[transition.challenge_id].append(transition)
    seats = Membership.objects.filter(challenge_id__in=by_challenge, role__in=PHASE_CHANGE_ROLES).select_related("user")
    transitions_of = defaultdict(dict)  # person → {(challenge, phase): transition}: one row each, whatever the seats
    people = {}
    for seat in seats:
        people[seat.user_id] = seat.user
        for transition in by_challenge[seat.challenge_id]:
            transitions_of[seat.user_id][(transition.challenge_id, transition.to_phase)] = transition
    notifications = []
    for user_id, mine in transitions_of.items():
        user = people[user_id]
        accelerator = next(iter(mine.values())).challenge.cohort.accelerator
        with translation.override(user.reading_language(accelerator)):
            for transition in mine.values():
                context = {"challenge": transition.challenge, "transition": transition}
                notifications.append(
                    Notification(
                        user=user,
                        challenge=transition.challenge,
                        kind=Notification.Kind.PHASE_CHANGE,
                        phase=transition.to_phase,
                        message=render_to_string("challenges/email/phase_changed_line.txt", context).strip(),
                    )
                )
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        unsent = _unsent_phase_changes().filter(
            challenge_id__in=by_challenge, phase__in={phase for _challenge, phase in wanted}
        )
        rows = unsent.values_list("id", "challenge_id", "phase")
        ids = [pk for pk, challenge_id, phase in rows if (challenge_id, phase) in wanted]
        if ids:
            transaction.on_commit(lambda: queue_notification_emails(ids))
    return len(ids)


def phase_changes_recorded_notify(*, accelerator_id: int, recorded_at) -> int:
    """Queue ``notify_phase_changes`` for the transitions one clock run recorded in one accelerator
    (read back by their instant, ``PhaseTransition.objects.recorded_by``), in bounded batches.
    Returns how many transitions; queuing the same run twice makes nothing twice (the unique rows)."""
    pairs = [
        list(pair)
        for pair in PhaseTransition.objects.recorded_by(accelerator_id, recorded_at)
        .order_by("challenge_id", "to_phase")
        .values_list("challenge_id", "to_phase")
    ]
    enqueue_batches("challenges.tasks.notify_phase_changes", pairs, batch=NOTIFY_BATCH)
    return len(pairs)


def _unsent_phase_changes():
    """Phase-change rows whose e-mail no task has tried yet (a failed try keeps its error; its task retries it)."""
    return Notification.objects.filter(
        kind=Notification.Kind.PHASE_CHANGE,
        emailed_at=None,
        email_claimed_at=None,
        email_failed_at=None,
        email_error="",
    )


def phase_change_notifications_sweep(*, now=None) -> dict[str, int]:
    """Make what a lost enqueue left unmade: run after each tick, idempotent, bounded by a window.

    A worker that dies between a tick's commit and its ``on_commit`` enqueue leaves transitions
    nobody was told about (and one that dies after ``notify_phase_changes`` committed leaves rows
    whose e-mail was never queued). Transitions recorded between ``PHASE_NOTIFY_SWEEP_HOURS`` and
    ``PHASE_NOTIFY_SWEEP_GRACE_SECONDS`` ago whose challenge has someone to tell and no phase-change
    row for that phase are queued again; so are those rows' unsent e-mails. The unique row and
    the e-mail claim make a sweep that overlaps the normal path harmless: each person is told once.
    """
    now = now or timezone.now()
    since = now - timedelta(hours=settings.PHASE_NOTIFY_SWEEP_HOURS)
    until = now - timedelta(seconds=settings.PHASE_NOTIFY_SWEEP_GRACE_SECONDS)
    told = Notification.objects.filter(
        kind=Notification.Kind.PHASE_CHANGE,
        challenge_id=OuterRef("challenge_id"),
    ).filter(
        # A challenge enters a phase once, so a row naming it tells it; "": rows made before rows
        # named their phase, which count for transitions recorded before them.
        Q(phase=OuterRef("to_phase")) | Q(phase="", created_at__gte=OuterRef("recorded_at"))
    )
    someone = Membership.objects.filter(challenge_id=OuterRef("challenge_id"), role__in=PHASE_CHANGE_ROLES)
    untold = list(
        PhaseTransition.objects.filter(recorded_at__gte=since, recorded_at__lte=until)
        .filter(Exists(someone))
        .exclude(Exists(told))
        .order_by("recorded_at")
        .values_list("challenge_id", "to_phase")
    )
    unsent = list(
        _unsent_phase_changes().filter(created_at__gte=since, created_at__lte=until).values_list("id", flat=True)
    )
    enqueue_batches("challenges.tasks.notify_phase_changes", [list(pair) for pair in untold], batch=NOTIFY_BATCH)
    queue_notification_emails(unsent)
    return {"transitions": len(untold), "emails": len(unsent)}


# --- Blockers, reminders and any other in-app notification that also goes out by e-mail ----------


def shown_names(accelerator, people) -> dict[int, str]:
    """{person id: the name the accelerator's messages give them}: as their invitation typed it while
    they are only invited (``members.invitations.masked_names``, as every page shows them), else their
    own. One query whatever the number of people."""
    people = [person for person in people if person is not None]
    masked = masked_names(accelerator, [person.pk for person in people])
    return {person.pk: masked.get(person.pk) or person.get_full_name() or person.email for person in people}


def blocker_raised_message(blocker, by_name: str) -> str:
    """One line for the sponsor's and coach's notification list (call inside the reader's language);
    ``by_name`` from ``shown_names``."""
    context = {"blocker": blocker, "name": by_name}
    return render_to_string("challenges/email/blocker_raised_line.txt", context).strip()


def checkin_reminder_message(*, challenge, period_number: int, due_on, today) -> str:
    context = {"challenge": challenge, "period": period_number, "due_on": due_on, "overdue": due_on < today}
    return render_to_string("challenges/email/checkin_reminder_line.txt", context).strip()


def queue_notification_emails(notification_ids: list[int]) -> None:
    """Called from ``transaction.on_commit``: the e-mail copies go out only for committed rows."""
    enqueue_batches("challenges.tasks.send_notification_emails", notification_ids, batch=NOTIFY_BATCH)


def send_notification_emails(*, notification_ids: list[int]) -> int:
    """E-mail each person their new notifications, one message per person; returns how many went."""
    sent, _failed = notification_emails_send(notification_ids=notification_ids)
    return sent


def notification_emails_send(*, notification_ids: list[int]) -> tuple[int, list[int]]:
    """E-mail each person their new notifications; returns (messages sent, ids of the rows that failed).

    Rows are claimed first (``email_claimed_at`` set where still empty), so a task that is
    delivered twice never mails twice: at most once, which is what a reminder promises. A row is
    marked e-mailed only once the mail server took its message; a failed one is released with
    the reason, for the task to retry (and finally give up on: ``notification_emails_give_up``).
    """
    claimed = claim_rows(
        table=Notification._meta.db_table,
        column="email_claimed_at",
        ids=notification_ids,
        now=timezone.now(),
        unless=("emailed_at", "email_failed_at"),
    )
    notifications = Notification.objects.filter(id__in=claimed).select_related("user", "challenge__cohort__accelerator")
    items_by_user = defaultdict(list)
    ids_by_user = defaultdict(list)
    for notification in notifications.order_by("created_at", "id"):
        challenge = notification.challenge
        ids_by_user[notification.user].append(notification.pk)
        items_by_user[notification.user].append(
            {
                "message": notification.message,
                "challenge": challenge,
                "accelerator": challenge.cohort.accelerator if challenge else None,
                "url": settings.SITE_URL + notification.target_url(),
            }
        )
    delivery = deliver_to_people(
        items_by_user=items_by_user,
        subject_template="challenges/email/notification_subject.txt",
        body_template="challenges/email/notification_body.txt",
    )
    sent_ids = [pk for user in delivery.sent for pk in ids_by_user[user]]
    Notification.objects.filter(id__in=sent_ids).update(emailed_at=timezone.now(), email_error="")
    failed_ids = []
    for user, error in delivery.failed.items():
        failed_ids += ids_by_user[user]
        Notification.objects.filter(id__in=ids_by_user[user]).update(email_claimed_at=None, email_error=error)
    return len(delivery.sent), failed_ids


def notification_emails_give_up(*, notification_ids: list[int]) -> int:
    """Mark as failed the rows still unsent after the task's last retry: the admin lists them."""
    return Notification.objects.filter(
        id__in=notification_ids, emailed_at=None, email_claimed_at=None, email_failed_at=None
    ).update(email_failed_at=timezone.now())


def send_sponsor_digests(*, digest_ids: list[int]) -> int:
    """The weekly digest: each sponsor's challenges with status and open blockers, one e-mail each."""
    sent, _failed = sponsor_digests_deliver(digest_ids=digest_ids)
    return sent


def sponsor_digests_deliver(*, digest_ids: list[int]) -> tuple[int, list[int]]:
    """Send the claimed digests; returns (messages sent, ids of the digests that failed), as for notifications."""
    from .models import Blocker, SponsorDigestLog

    claimed = claim_rows(
        table=SponsorDigestLog._meta.db_table,
        column="claimed_at",
        ids=digest_ids,
        now=timezone.now(),
        unless=("sent_at", "failed_at"),
    )
    digests = list(SponsorDigestLog.objects.filter(id__in=claimed).select_related("user"))
    sponsors = {digest.user_id: digest.user for digest in digests}
    seats = (
        Membership.objects.filter(user_id__in=sponsors, role=Membership.Role.SPONSOR, challenge__withdrawn_at=None)
        .select_related("challenge__cohort__accelerator")
        .prefetch_related(
            Prefetch(
                "challenge__blockers",
                queryset=Blocker.objects.filter(state=Blocker.State.OPEN).order_by("decision_needed_by", "created_at"),
                to_attr="open_blockers",
            )
        )
        .order_by("challenge__title")
    )
    items_by_user = defaultdict(list)
    for seat in seats:
        challenge = seat.challenge
        items_by_user[sponsors[seat.user_id]].append(
            {
                "challenge": challenge,
                "accelerator": challenge.cohort.accelerator,
                "blockers": challenge.open_blockers,
                "url": challenge_url(challenge.pk),
            }
        )
    delivery = deliver_to_people(
        items_by_user=items_by_user,
        subject_template="challenges/email/sponsor_digest_subject.txt",
        body_template="challenges/email/sponsor_digest_body.txt",
    )
    digest_of = {digest.user_id: digest.pk for digest in digests}
    SponsorDigestLog.objects.filter(id__in=[digest_of[user.pk] for user in delivery.sent]).update(
        sent_at=timezone.now(), last_error=""
    )
    for user, error in delivery.failed.items():
        SponsorDigestLog.objects.filter(pk=digest_of[user.pk]).update(claimed_at=None, last_error=error)
    return len(delivery.sent), [digest_of[user.pk] for user in delivery.failed]


def sponsor_digests_give_up(*, digest_ids: list[int]) -> int:
    """Mark as failed the digests still unsent after the task's last retry: the admin lists them."""
    from .models import SponsorDigestLog

    return SponsorDigestLog.objects.filter(id__in=digest_ids, sent_at=None, claimed_at=None, failed_at=None).update(
        failed_at=timezone.now()
    )
