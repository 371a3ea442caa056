"""Team members: people's standing roles (grants), their seats on challenge teams, invitations.

The person model itself (``cohorts.User``) stays in ``cohorts``: it is the swappable
``AUTH_USER_MODEL`` from the first migration, and moving a swappable model between apps on a live
database is not supported by Django (every app's migration history points at ``cohorts.User``).
The tables keep their original names (``db_table``), so the move lost no row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AcceleratorRole(models.Model):
    """A person's standing role in one accelerator (or, for an official, in one of its cohorts)."""

    class Role(models.TextChoices):
        PROGRAM_ADMIN = "program_admin", _("program admin")
        COACH = "coach", _("coach")
        OFFICIAL = "official", _("official")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="grants"
    )
    accelerator = models.ForeignKey(
        "cohorts.Accelerator", verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="grants"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
        help_text=_("Leave empty to grant the whole accelerator."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    history = HistoricalRecords(table_name="cohorts_historicalacceleratorrole")

    class Meta:
        db_table = "cohorts_acceleratorrole"
        verbose_name = _("accelerator role")
        verbose_name_plural = _("accelerator roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["program_admin", "coach", "official"]), name="grant_role_known"
            ),
            models.UniqueConstraint(
                fields=["user", "accelerator", "role"],
                condition=Q(cohort__isnull=True),
                name="grant_unique_per_accelerator",
            ),
            models.UniqueConstraint(
                fields=["user", "cohort", "role"], condition=Q(cohort__isnull=False), name="grant_unique_per_cohort"
            ),
            models.CheckConstraint(
                condition=Q(cohort__isnull=True) | Q(role="official"), name="grant_cohort_scope_only_for_officials"
            ),
        ]

    def __str__(self) -> str:
        scope = self.cohort or self.accelerator
        return f"{self.user} · {self.get_role_display()} · {scope}"


class Membership(models.Model):
    """A person's seat on one challenge's team."""

    class Role(models.TextChoices):
        TEAM_LEAD = "team_lead", _("team lead")
        MEMBER = "member", _("member")
        COACH = "coach", _("coach")
        SPONSOR = "sponsor", _("sponsor")

    challenge = models.ForeignKey(
        "challenges.Challenge", verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = HistoricalRecords(table_name="challenges_historicalmembership")

    class Meta:
        db_table = "challenges_membership"
        verbose_name = _("team seat")
        verbose_name_plural = _("team seats")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["team_lead", "member", "coach", "sponsor"]), name="membership_role_known"
            ),
            models.UniqueConstraint(fields=["challenge", "user", "role"], name="membership_unique_seat"),
            models.UniqueConstraint(
                fields=["challenge"], condition=Q(role="team_lead"), name="membership_one_team_lead_per_challenge"
            ),
        ]
        indexes = [models.Index(fields=["user", "role"], name="membership_user_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.challenge}"


class Invitation(models.Model):
    """A person asked to join an accelerator's challenges, with a one-time link to set a password.

    The link itself is a token (``members.invitations``) that expires after
    ``PASSWORD_RESET_TIMEOUT`` and stops working once the password is set; this row records who
    invited whom, when the last link went out, and when it was used.
    """

    accelerator = models.ForeignKey(
        "cohorts.Accelerator", verbose_name=_("accelerator"), on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name the inviting admin typed: shown on the manage pages while the invitation is open, in
    # place of the account's own name, so the page never tells whether the address had an account.
    full_name = models.CharField(_("full name as typed"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    send_count = models.PositiveIntegerField(_("times sent"), default=0)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    history = HistoricalRecords(table_name="cohorts_historicalinvitation")

    class Meta:
        db_table = "cohorts_invitation"
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["accelerator", "user"], name="invitation_once_per_person_and_accelerator"),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True, send_count=0) | Q(sent_at__isnull=False, send_count__gte=1),
                name="invitation_sent_has_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} · {self.accelerator}"


class SeatRemoval(models.Model):
    """A team seat taken away (removed, or a team lead replaced), kept so it can be undone for a while.

    The seat's own history (simple-history) records the deletion; this row is what "Undo" restores
    from within ``SEAT_UNDO_MINUTES``, and ``restored_at`` makes a double-clicked "Undo" restore once.
    """

    challenge = models.ForeignKey(
        "challenges.Challenge", verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="seat_removals"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed at"), auto_now_add=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("removed team seat")
        verbose_name_plural = _("removed team seats")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["team_lead", "member", "coach", "sponsor"]), name="seat_removal_role_known"
            ),
            models.CheckConstraint(
                condition=Q(restored_at__isnull=True) | Q(restored_at__gte=models.F("removed_at")),
                name="seat_removal_restored_after_removal",
            ),
        ]
        indexes = [models.Index(fields=["challenge", "removed_at"], name="seat_removal_recent_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.challenge}"
