"""Who is asking the API, and what that lets them see and do: the pages' rules, or a token's.

A signed-in person (a session cookie) gets exactly what the pages give them (``members.access``,
``challenges.access``). A token is not a person: it stands for its accelerator with its scope, and
sees what an official granted the whole accelerator sees (its launched cohorts and their
challenges; drafts are the program team's alone); a write token may also post check-ins to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from challenges.access import challenges_visible_to, get_challenge_for_user
from challenges.models import Challenge, CheckIn
from cohorts.models import Accelerator, Cohort
from members.access import accelerators_visible_to, can_post_progress, cohorts_visible_to

from .models import ApiToken


@dataclass(frozen=True)
class Principal:
    user: object | None = None
    token: ApiToken | None = None

    @property
    def key(self) -> str:
        """Whose rate limit a request counts against."""
        return f"token:{self.token.pk}" if self.token else f"user:{self.user.pk}"

    @property
    def author(self):
        """Who a check-in posted through this principal is signed with."""
        return self.token.created_by if self.token else self.user

    def accelerators(self) -> QuerySet[Accelerator]:
        if self.token:
            return Accelerator.objects.filter(pk=self.token.accelerator_id)
        return accelerators_visible_to(self.user)

    def cohorts(self) -> QuerySet[Cohort]:
        if self.token:
            return Cohort.objects.filter(accelerator_id=self.token.accelerator_id, status=Cohort.Status.LAUNCHED)
        return cohorts_visible_to(self.user)

    def challenges(self) -> QuerySet[Challenge]:
        if self.token:
            return Challenge.objects.filter(
                cohort__accelerator_id=self.token.accelerator_id, cohort__status=Cohort.Status.LAUNCHED
            )
        return challenges_visible_to(self.user)

    def checkins(self) -> QuerySet[CheckIn]:
        """The check-ins of ``challenges()``. A token's are found by the accelerator stored on each
        (``CheckIn.accelerator``, indexed newest first) and still held to its challenges' rule."""
        checkins = CheckIn.objects.filter(challenge__in=self.challenges().values("pk"))
        if self.token:
            checkins = checkins.filter(accelerator_id=self.token.accelerator_id)
        return checkins

    def challenge(self, pk: int, *, write: bool = False) -> Challenge:
        """404 outside what they see; 403 for ``write`` where they may only read (the pages' order)."""
        if not self.token:
            return get_challenge_for_user(self.user, pk, write=write)
        challenge = self.challenges().select_related("cohort__accelerator", "lead_entity").filter(pk=pk).first()
        if challenge is None:
            raise Http404
        if write and not self.token.may_post_checkins:
            raise PermissionDenied
        return challenge

    def may_post(self, challenge: Challenge) -> bool:
        if self.token:
            return self.token.may_post_checkins and challenge.cohort.accelerator_id == self.token.accelerator_id
        return can_post_progress(self.user, challenge)
