"""Who may come in through a provider, and who may still use a password: each rule once, here.

- An identity is linked to a person only when the provider vouches for (verifies) an address and a
  person with that address is known to an accelerator that uses the provider (its staff, grants,
  team seats or invitations: ``members.invitations.people_known_to``).
- A stranger (no person with that address) gets an account only when such an accelerator lists the
  address's domain among its allowed domains.
- A superuser's or staff account is never linked by an address: a provider's word never opens the
  platform's administration.
- A person whose accelerators all switch passwords off may not sign in with a password; superusers
  and people of no accelerator always may.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Accelerator
from members.invitations import people_known_to
from members.models import AcceleratorRole, Invitation, Membership

from .models import SignInSettings

# Why a sign-in through a provider was refused, as the person reads it.
NO_VERIFIED_ADDRESS = _(
    "The identity provider did not confirm an e-mail address for you, so we cannot tell who you are here."
)
NOT_INVITED = _(
    "There is no account for you here. Ask the program team of your accelerator to invite you, then sign in again."
)
ADDRESS_TAKEN = _(
    "An account with your e-mail address exists, but not in an accelerator that uses this identity "
    "provider. Ask the program team to invite you."
)
NOT_LINKABLE = _("This account signs in with its password only; it cannot be linked to an identity provider.")
ACCOUNT_CLOSED = _("Your account is closed. Ask the program team if you think this is a mistake.")
PROVIDER_FAILED = _(
    "Signing in through the identity provider did not succeed, and nothing was changed. Start again "
    "from the sign-in page; if it keeps failing, ask the program team."
)
PASSWORDS_OFF = _(
    "Your accelerator signs people in through its identity provider only. Use the provider's button "
    "below instead of a password."
)


def accelerators_of(user) -> set[int]:
    """The accelerators a person belongs to: their entity's, their grants', seats' and invitations'."""
    ids = set(AcceleratorRole.objects.filter(user=user).values_list("accelerator_id", flat=True))
    ids |= set(Membership.objects.filter(user=user).values_list("challenge__cohort__accelerator_id", flat=True))
    ids |= set(Invitation.objects.filter(user=user).values_list("accelerator_id", flat=True))
    if user.entity_id:
        ids |= set(Accelerator.objects.filter(entities__id=user.entity_id).values_list("id", flat=True))
    return ids


def password_sign_in_allowed(user) -> bool:
    if user.is_superuser:
        return True
    ids = accelerators_of(user)
    if not ids:
        return True
    off = SignInSettings.objects.filter(accelerator_id__in=ids, passwords_off=True).count()
    return off < len(ids)


@dataclass(frozen=True)
class Admission:
    """The outcome for one sign-in: the person to link to, or leave to create one, or why not."""

    user: object | None = None
    create: bool = False
    refusal: str | None = None
    # The accelerators (using this provider) whose invitations the sign-in accepts.
    accelerator_ids: tuple[int, ...] = ()


# The person whose invitation link was opened in this session (identity.views.invitation_accept):
# the link proves they hold the invited mailbox, so their first sign-in links to them whatever
# address the provider gives.
INVITEE_SESSION_KEY = "identity_invitee"


def admission(*, app, email: str | None, verified: bool, invitee=None) -> Admission:
    """Who a first sign-in through ``app`` (a SocialApp) with this address is, if anyone."""
    if invitee is not None and invitee.is_active and providers_of(invitee).filter(pk=app.pk).exists():
        using = Accelerator.objects.filter(sign_in__providers=app, id__in=accelerators_of(invitee))
        return Admission(user=invitee, accelerator_ids=tuple(using.values_list("id", flat=True)))
    if not email or not verified:
        return Admission(refusal=NO_VERIFIED_ADDRESS)
    email = email.strip().lower()
    accelerators = list(Accelerator.objects.filter(sign_in__providers=app))
    if not accelerators:
        return Admission(refusal=NOT_INVITED)
    User = get_user_model()
    person = User.objects.filter(email__iexact=email).first()
    if person is not None:
        if not person.is_active:
            return Admission(refusal=ACCOUNT_CLOSED)
        if person.is_superuser or person.is_staff:
            # A provider's word about an address never opens the platform's administration.
            return Admission(refusal=NOT_LINKABLE)
        # The provider confirmed the address: the person belongs to the accelerator, or holds its
        # invitation to that very address (an open invitation alone does not make them visible
        # there, but it is what lets them in).
        invitations = Invitation.objects.filter(user=person, accelerator__in=accelerators)
        invited = set(invitations.values_list("accelerator_id", flat=True))
        admitted = tuple(
            accelerator.id
            for accelerator in accelerators
            if accelerator.id in invited or people_known_to(accelerator).filter(pk=person.pk).exists()
        )
        if admitted:
            return Admission(user=person, accelerator_ids=admitted)
        return Admission(refusal=ADDRESS_TAKEN)
    domain = email.rpartition("@")[2]
    if any(domain in settings.domains for settings in SignInSettings.objects.filter(accelerator__in=accelerators)):
        return Admission(create=True)
    return Admission(refusal=NOT_INVITED)


def providers_for_sign_in():
    """The providers the sign-in page offers: those at least one accelerator uses."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp.objects.filter(Q(accelerator_settings__isnull=False)).distinct().order_by("provider", "name")


def providers_of(user):
    """The providers of the person's accelerators."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp.objects.filter(accelerator_settings__accelerator_id__in=accelerators_of(user)).distinct()
