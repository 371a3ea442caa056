"""Inviting people by e-mail: a one-time, expiring link to set a password.

The link is Django's password-reset token with its own salt: it expires after
``PASSWORD_RESET_TIMEOUT`` (``INVITATION_LIFETIME_SECONDS``) and stops working as soon as a
password is set, because the token hashes the stored password. Re-sending makes a fresh link.

An invitation never tells the admin whether the address already had an account: the same
rows are written, the same message is shown and the same e-mail is sent either way.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from cohorts.models import Accelerator
from core.text import one_line
from members.models import AcceleratorRole, Invitation


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "members.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def people_known_to(accelerator: Accelerator) -> QuerySet:
    """People who belong to an accelerator, whom its admins may find, assign and read about: its
    entities' staff, its grants, and people seated on its challenges or who accepted its invitation.

    Someone only invited (the invitation not yet accepted) does not belong, even once seated from
    that invitation: the admin typed an address, and an address says nothing about the account
    behind it (which may be another government's). Until they accept, they are shown only as the
    invitation gave them (``masked_names``). Accounts of other governments stay invisible.
    """
    from members.models import Membership

    User = get_user_model()
    granted = AcceleratorRole.objects.filter(user=OuterRef("pk"), accelerator=accelerator)
    seated = Membership.objects.filter(user=OuterRef("pk"), challenge__cohort__accelerator=accelerator)
    accepted = Invitation.objects.filter(user=OuterRef("pk"), accelerator=accelerator, accepted_at__isnull=False)
    still_invited = Invitation.objects.filter(user=OuterRef("pk"), accelerator=accelerator, accepted_at__isnull=True)
    return User.objects.filter(
        Q(is_active=True)
        & (
            Q(entity__accelerator=accelerator)
            | Exists(granted)
            | ((Exists(seated) | Exists(accepted)) & ~Exists(still_invited))
        )
    )


def open_invitations(accelerator: Accelerator) -> QuerySet:
    """The accelerator's invitations of people who do not belong to it (yet): shown as typed."""
    return Invitation.objects.filter(accelerator=accelerator, accepted_at__isnull=True).exclude(
        Q(user__entity__accelerator=accelerator)
        | Exists(AcceleratorRole.objects.filter(user=OuterRef("user_id"), accelerator=accelerator))
    )


def invited_as(*, user, accelerator) -> Subquery:
    """``masked_names`` in SQL, for annotations: the name an open invitation to ``accelerator`` gave
    ``user`` (typed name, else address), or NULL when they belong (both are expressions, e.g. OuterRef)."""
    granted = AcceleratorRole.objects.filter(user_id=OuterRef("user_id"), accelerator_id=OuterRef("accelerator_id"))
    own_entity = get_user_model().objects.filter(
        pk=OuterRef("user_id"), entity__accelerator_id=OuterRef("accelerator_id")
    )
    rows = (
        Invitation.objects.filter(user_id=user, accelerator_id=accelerator, accepted_at__isnull=True)
        .exclude(Exists(granted))
        .exclude(Exists(own_entity))
        .annotate(shown=Coalesce(NullIf(F("full_name"), Value("")), F("user__email"), output_field=CharField()))
        .values("shown")[:1]
    )
    return Subquery(rows, output_field=CharField())


def invited_name(invitation: Invitation) -> str:
    """How an invited person is shown: the name the admin typed, else the address they typed."""
    return invitation.full_name or invitation.user.email


def masked_names(accelerator: Accelerator, user_ids) -> dict[int, str]:
    """{person id: name as the invitation gave it} for those of ``user_ids`` who are only invited:
    every page of the accelerator shows them so, never the account's own name, title or entity.
    One query whatever the number of people."""
    if isinstance(user_ids, QuerySet):  # ids as a subquery: still one query
        ids = user_ids
    else:
        ids = {user_id for user_id in user_ids if user_id is not None}
        if not ids:
            return {}
    rows = open_invitations(accelerator).filter(user_id__in=ids).values_list("user_id", "full_name", "user__email")
    return {user_id: full_name or email for user_id, full_name, email in rows}


def invitation_link(user, invitation: Invitation | None = None) -> str:
    """The one-time link; ``?invitation=`` says which accelerator's invitation it accepts, so
    accepting one accelerator's shows the person to no other that also invited them."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_tokens.make_token(user)
    link = settings.SITE_URL + reverse("invitation_accept", kwargs={"uidb64": uid, "token": token})
    return f"{link}?invitation={invitation.pk}" if invitation is not None else link


def user_from_link(uidb64: str, token: str):
    """The invited person if the link is genuine, unused and unexpired; otherwise None."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if invitation_tokens.check_token(user, token) else None


@transaction.atomic
def invitation_create(*, accelerator: Accelerator, email: str, full_name: str = "", by) -> Invitation:
    """The person with this address (created without a password if new), invited to the accelerator."""
    User = get_user_model()
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.save()
    full_name = full_name.strip()
    invitation, created = Invitation.objects.get_or_create(
        accelerator=accelerator, user=user, defaults={"invited_by": by, "full_name": full_name}
    )
    if not created and full_name and invitation.accepted_at is None and invitation.full_name != full_name:
        invitation.full_name = full_name
        invitation._history_user = by
        invitation.save(update_fields=["full_name"])
    return invitation


# "Send the invitation now": at most once per invitation in this many seconds, and this many
# sends per admin an hour; beyond, nothing is sent and the page says what it always says.
RESEND_INTERVAL_SECONDS = 10 * 60
RESENDS_PER_ADMIN_HOUR = 20


def invitation_resend(*, invitation: Invitation, by) -> bool:
    """Send a fresh link now, unless this invitation was resent in the last ten minutes or the
    admin has used up their sends for the hour; returns whether it was sent. The caller shows
    the same answer either way, so the limit tells nothing about the address."""
    from django.core.cache import cache

    if not cache.add(f"invitation-resend:{invitation.pk}", 1, RESEND_INTERVAL_SECONDS):
        return False
    key = f"invitation-resends-by:{by.pk}"
    cache.add(key, 0, 3600)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, 3600)
        used = 1
    if used > RESENDS_PER_ADMIN_HOUR:
        cache.delete(f"invitation-resend:{invitation.pk}")  # not sent: another admin may still send it
        return False
    return bool(invitation_send_now(invitation_ids=[invitation.pk]))


@transaction.atomic
def invitations_create_many(*, accelerator: Accelerator, people: dict[str, str], by) -> dict[str, int]:
    """``invitation_create`` for many people at once: {address: full name typed} → {address: person id}.

    A few bulk statements whatever the number (the challenge-list import invites a whole file's
    teams in its one transaction); history rows are written for the new people and invitations.
    """
    from django.db.models.functions import Lower
    from simple_history.utils import bulk_create_with_history

    User = get_user_model()
    wanted = {email.strip().lower(): name.strip() for email, name in people.items()}
    if not wanted:
        return {}
    ids: dict[str, int] = dict(
        User.objects.annotate(address=Lower("email")).filter(address__in=list(wanted)).values_list("address", "id")
    )
    new_users = []
    for email, name in wanted.items():
        if email not in ids:
            user = User(email=email, full_name=name)
            user.set_unusable_password()
            new_users.append(user)
    if new_users:
        bulk_create_with_history(new_users, User, default_user=by)
        ids.update(User.objects.filter(email__in=[user.email for user in new_users]).values_list("email", "id"))
    invited = set(
        Invitation.objects.filter(accelerator=accelerator, user_id__in=ids.values()).values_list("user_id", flat=True)
    )
    invitations = [
        Invitation(accelerator=accelerator, user_id=user_id, invited_by=by, full_name=wanted[email])
        for email, user_id in ids.items()
        if user_id not in invited
    ]
    bulk_create_with_history(invitations, Invitation, default_user=by)
    return ids


def invitation_send_now(*, invitation_ids: list[int]) -> int:
    """E-mail each invitation a fresh link, in the recipient's language; returns how many went out."""
    from core.delivery import send_each
    from members.models import Membership

    invitations = list(
        Invitation.objects.filter(pk__in=invitation_ids, accepted_at__isnull=True, user__is_active=True).select_related(
            "user", "accelerator", "invited_by"
        )
    )
    seats = Membership.objects.filter(
        user__in=[invitation.user_id for invitation in invitations],
        challenge__cohort__accelerator__in={invitation.accelerator_id for invitation in invitations},
    ).select_related("challenge__cohort")
    seats_of: dict[tuple[int, int], list] = {}
    for seat in seats:
        seats_of.setdefault((seat.user_id, seat.challenge.cohort.accelerator_id), []).append(seat)
    messages = []
    for invitation in invitations:
        user = invitation.user
        with translation.override(user.reading_language(invitation.accelerator)):
            context = {
                "user": user,
                # Greeted as the admin named them, not as the account is named: the same e-mail either way.
                "greeting": invited_name(invitation).split(" ")[0],
                "invitation": invitation,
                "accelerator": invitation.accelerator,
                "seats": seats_of.get((user.pk, invitation.accelerator_id), []),
                "link": invitation_link(user, invitation),
                "lifetime_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            }
            subject = one_line(render_to_string("members/email/invitation_subject.txt", context))
            body = render_to_string("members/email/invitation_body.txt", context)
        messages.append((invitation.pk, EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])))
    # Each on its own: one refused message leaves the others sent, and only those marked sent.
    delivery = send_each(messages)
    if delivery.sent:
        now = timezone.now()
        from django.db.models import F

        Invitation.objects.filter(pk__in=delivery.sent).update(sent_at=now, send_count=F("send_count") + 1)
    return len(delivery.sent)


@transaction.atomic
def invitation_accept(*, user, password: str, invitation_id: int | None = None) -> None:
    """Set the invited person's password: the link they used stops working with it. The link's
    invitation is accepted (the person then belongs to that accelerator); a link that names none
    (sent before links named theirs) accepts all of the person's open invitations."""
    user.set_password(password)
    user.save(update_fields=["password"])
    invitations_accepted(user=user, invitation_id=invitation_id)


def invitations_accepted(*, user, invitation_id: int | None = None, accelerator_ids=None) -> None:
    """The person has come in (with a password, or through an identity provider): the link's
    invitation is used, or those of the accelerators named; with neither, all their open invitations."""
    accepted = Invitation.objects.filter(user=user, accepted_at__isnull=True)
    if invitation_id is not None:
        accepted = accepted.filter(pk=invitation_id)
    if accelerator_ids is not None:
        accepted = accepted.filter(accelerator_id__in=accelerator_ids)
    accepted.update(accepted_at=timezone.now())
