"""Invitations: a one-time, expiring link to set a password; re-sendable; never revealing an account."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from cohorts.models import User
from members.invitations import (
    RESEND_INTERVAL_SECONDS,
    RESENDS_PER_ADMIN_HOUR,
    invitation_create,
    invitation_resend,
    invitation_send_now,
)
from members.models import Invitation, Membership
from tests.factories import AcceleratorFactory, ChallengeFactory, UserFactory
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Tashkent"))


@pytest.fixture
def journey():
    return build_journey()


@pytest.fixture
def challenge(journey):
    return ChallengeFactory(cohort=journey.cohort, title="Fewer paper forms")


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0).split("8000", 1)[-1]


def invite(client, challenge, email, role="coach"):
    return client.post(
        reverse("manage_challenge_people", args=[challenge.pk]),
        {"action": "invite", "email": email, "full_name": "Someone New", "role": role},
        follow=True,
    )


def test_an_invitation_reads_the_same_whether_or_not_the_address_has_an_account(client, journey, challenge):
    UserFactory(email="known@example.org", full_name="Known Person")
    client.force_login(journey.admin)
    known = invite(client, challenge, "known@example.org")
    unknown = invite(client, challenge, "new@example.org")

    def message(response):
        return [str(m) for m in response.context["messages"]][0].replace("known@", "X@").replace("new@", "X@")

    assert known.status_code == unknown.status_code == 200
    assert message(known) == message(unknown)
    assert known.redirect_chain == unknown.redirect_chain
    assert Membership.objects.filter(challenge=challenge, role="coach").count() == 2
    assert Invitation.objects.filter(accelerator=journey.accelerator).count() == 2
    assert User.objects.get(email="new@example.org").has_usable_password() is False
    assert mail.outbox == [], "invitations of a draft cohort go out at launch"
    for url in (
        reverse("manage_challenge_people", args=[challenge.pk]),
        reverse("manage_cohort", args=[journey.cohort.pk]),
    ):
        page = client.get(url).content.decode()
        assert "known@example.org" in page and "Known Person" not in page, "an existing account's name stays hidden"


@time_machine.travel(NOW, tick=False)
def test_it_accepts_an_invitation_once(client, journey, challenge):
    invitation = invitation_create(accelerator=journey.accelerator, email="New@Example.org", by=journey.admin)
    assert invitation.user.email == "new@example.org"
    invitation_send_now(invitation_ids=[invitation.pk])
    url = link_in(mail.outbox[0])
    page = client.get(url)
    assert page.status_code == 200 and "new@example.org" in page.content.decode()

    response = client.post(url, {"new_password1": "a-strong-passphrase-42", "new_password2": "a-strong-passphrase-42"})
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.check_password("a-strong-passphrase-42")
    assert client.session["_auth_user_id"] == str(user.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at == NOW

    client.logout()
    again = client.get(url)
    assert 'data-testid="invalid-link"' in again.content.decode(), "the link stops working once used"
    replay = client.post(url, {"new_password1": "another-passphrase-43", "new_password2": "another-passphrase-43"})
    assert 'data-testid="invalid-link"' in replay.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-strong-passphrase-42")


def test_a_weak_password_is_refused_beside_the_field(client, journey):
    invitation = invitation_create(accelerator=journey.accelerator, email="new@example.org", by=journey.admin)
    invitation_send_now(invitation_ids=[invitation.pk])
    url = link_in(mail.outbox[0])
    response = client.post(url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert not User.objects.get(email="new@example.org").has_usable_password()


def test_an_expired_link_is_refused(client, journey):
    with time_machine.travel(NOW, tick=False):
        invitation = invitation_create(accelerator=journey.accelerator, email="new@example.org", by=journey.admin)
        invitation_send_now(invitation_ids=[invitation.pk])
    url = link_in(mail.outbox[0])
    later = NOW + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(url)
        assert 'data-testid="invalid-link"' in response.content.decode()
        client.post(url, {"new_password1": "a-strong-passphrase-42", "new_password2": "a-strong-passphrase-42"})
    assert not User.objects.get(email="new@example.org").has_usable_password()


def test_re_sending_gives_a_fresh_link_that_works(client, journey, challenge):
    with time_machine.travel(NOW, tick=False):
        invitation = invitation_create(accelerator=journey.accelerator, email="new@example.org", by=journey.admin)
        Membership.objects.create(challenge=challenge, user=invitation.user, role="member")
        invitation_send_now(invitation_ids=[invitation.pk])
    later = NOW + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        client.force_login(journey.admin)
        response = client.post(
            reverse("manage_challenge_people", args=[challenge.pk]), {"action": "resend", "invitation": invitation.pk}
        )
        assert response.status_code == 302
        assert len(mail.outbox) == 2
        old_url, new_url = link_in(mail.outbox[0]), link_in(mail.outbox[1])
        client.logout()
        assert 'data-testid="invalid-link"' in client.get(old_url).content.decode()
        response = client.post(
            new_url, {"new_password1": "a-strong-passphrase-42", "new_password2": "a-strong-passphrase-42"}
        )
        assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.send_count == 2 and invitation.accepted_at is not None


def test_the_invitation_email_speaks_the_recipients_language(journey):
    invitation = invitation_create(accelerator=journey.accelerator, email="new@example.org", by=journey.admin)
    invitation.user.preferred_language = "ar"
    invitation.user.save()
    from django.utils import translation

    translation.activate("en")
    invitation_send_now(invitation_ids=[invitation.pk])
    assert translation.get_language() == "en", "the sender's language is left as it was"
    assert mail.outbox[0].to == ["new@example.org"]


def test_an_admin_cannot_resend_another_accelerators_invitation(client, journey, challenge):
    other = AcceleratorFactory()
    foreign = invitation_create(accelerator=other, email="foreign@example.org", by=None)
    client.force_login(journey.admin)
    response = client.post(
        reverse("manage_challenge_people", args=[challenge.pk]), {"action": "resend", "invitation": foreign.pk}
    )
    assert response.status_code == 404
    assert mail.outbox == []


def test_a_link_for_nobody_is_refused(client):
    response = client.get(reverse("invitation_accept", kwargs={"uidb64": "zzzz", "token": "nope"}))
    assert response.status_code == 200 and 'data-testid="invalid-link"' in response.content.decode()


def test_send_now_five_times_sends_one_email_and_answers_the_same_each_time(client, journey, challenge):
    """Issue 15, point 5: five clicks on "Send the invitation now" sent five e-mails to an account."""
    UserFactory(email="known@example.org", full_name="Known Person")
    invitation = invitation_create(accelerator=journey.accelerator, email="known@example.org", by=journey.admin)
    Membership.objects.create(challenge=challenge, user=invitation.user, role="member")
    client.force_login(journey.admin)
    answers = []
    for _ in range(5):
        response = client.post(
            reverse("manage_challenge_people", args=[challenge.pk]),
            {"action": "resend", "invitation": invitation.pk},
            follow=True,
        )
        answers.append((response.status_code, [str(m) for m in response.context["messages"]]))
    assert len(mail.outbox) == 1
    assert len(set(map(str, answers))) == 1
    later = datetime.now(tz=ZoneInfo("UTC")) + timedelta(seconds=RESEND_INTERVAL_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert invitation_resend(invitation=invitation, by=journey.admin) is True
    assert len(mail.outbox) == 2


def test_an_admin_sends_at_most_so_many_invitations_an_hour(journey, challenge):
    invitations = [
        invitation_create(accelerator=journey.accelerator, email=f"invitee{number}@example.org", by=journey.admin)
        for number in range(RESENDS_PER_ADMIN_HOUR + 3)
    ]
    sent = [invitation_resend(invitation=invitation, by=journey.admin) for invitation in invitations]
    assert sent == [True] * RESENDS_PER_ADMIN_HOUR + [False] * 3
    assert len(mail.outbox) == RESENDS_PER_ADMIN_HOUR
    other_admin = UserFactory()
    assert invitation_resend(invitation=invitations[-1], by=other_admin) is True
