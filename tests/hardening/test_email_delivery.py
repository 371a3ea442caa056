"""One bad e-mail never takes its batch down (issue 15, point 2).

What found it: a challenge title pasted from a Word document kept its line break; the reminder
subject ("Check-in for … is due today") then made Django raise ``BadHeaderError`` for the whole
batch after every row had been marked e-mailed, so neither that team lead nor the other team
lead of the same accelerator got a reminder, and nothing retried.
"""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from challenges import notifications, reminders, tasks
from challenges.models import Notification
from members.models import Invitation, Membership
from program_admin.forms import ChallengeForm, InviteForm
from program_admin.importing import ImportRejected, check_rows, read_table
from tests.challenges.journey import LAUNCH, at_local, make_team
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY_7 = LAUNCH + timedelta(days=7)
PASTED_TITLE = "Shorter queues at the\r\nTashkent clinics"  # as Word pastes a wrapped line
SPOOFED_NAME = "Invoice \u202efdp.exe"  # U+202E: shows as "Invoice exe.pdf"
ONE_LINE_MESSAGE = "Line breaks and text-direction control characters are not allowed here."
REFUSED: dict[str, int] = {}  # address -> how many more attempts the fake server refuses


class RefusingBackend(EmailBackend):
    """Django's in-memory backend, with a server that refuses some recipients (SMTP 550)."""

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if REFUSED.get(address, 0) > 0:
                    REFUSED[address] -= 1
                    raise SMTPRecipientsRefused({address: (550, b"mailbox unavailable")})
        return super().send_messages(messages)


@pytest.fixture
def two_leads_one_batch(monkeypatch, django_capture_on_commit_callbacks):
    """Two team leads of one accelerator, reminded in one run: one batch of two notifications."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda ids: queued.extend(ids))
    team = make_team(title=PASTED_TITLE)
    other = ChallengeFactory(cohort=team.challenge.cohort, title="Faster business licences")
    other_lead = MembershipFactory(challenge=other, role=Membership.Role.TEAM_LEAD).user
    with django_capture_on_commit_callbacks(execute=True):
        assert len(reminders.reminders_send_due(now=at_local(DAY_7, 9, 5))) == 2
    assert len(queued) == 2
    return team.lead, other_lead, queued


def test_a_title_with_a_line_break_reaches_every_team_lead(two_leads_one_batch):
    lead, other_lead, ids = two_leads_one_batch
    assert notifications.send_notification_emails(notification_ids=ids) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, other_lead.email])
    subject = next(m.subject for m in mail.outbox if m.to == [lead.email])
    assert "Shorter queues at the Tashkent clinics" in subject and "\n" not in subject and "\r" not in subject
    assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).count() == 2


def test_bidi_controls_never_reach_a_subject(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda ids: None)
    team = make_team(title=SPOOFED_NAME)
    Notification.objects.create(user=team.lead, challenge=team.challenge, message=f"About {SPOOFED_NAME}")
    assert notifications.send_notification_emails(notification_ids=[Notification.objects.get().pk]) == 1
    assert "\u202e" not in mail.outbox[0].subject and "Invoice fdp.exe" in mail.outbox[0].subject


@override_settings(EMAIL_BACKEND="tests.hardening.test_email_delivery.RefusingBackend")
def test_a_refused_message_is_retried_then_shown_to_admins_and_the_rest_go_out(two_leads_one_batch, client):
    lead, other_lead, ids = two_leads_one_batch
    REFUSED.clear()
    REFUSED[lead.email] = 1000  # never accepted
    tasks.send_notification_emails.apply(args=[ids]).get()

    assert [m.to for m in mail.outbox] == [[other_lead.email]]  # the other one went once, not once per retry
    refused = Notification.objects.get(user=lead)
    assert refused.emailed_at is None and refused.email_failed_at is not None
    assert "SMTPRecipientsRefused" in refused.email_error
    assert REFUSED[lead.email] == 1000 - 1 - tasks.send_notification_emails.max_retries  # retried, each time alone
    assert Notification.objects.get(user=other_lead).emailed_at is not None

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:challenges_notification_changelist") + "?email_failed_at__isnull=False")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1 and "SMTPRecipientsRefused" in page.content.decode()
    # A redelivery of the original task sends nothing more.
    assert notifications.send_notification_emails(notification_ids=ids) == 0


@override_settings(EMAIL_BACKEND="tests.hardening.test_email_delivery.RefusingBackend")
def test_a_message_refused_once_goes_out_on_the_retry(two_leads_one_batch):
    lead, _other_lead, ids = two_leads_one_batch
    REFUSED.clear()
    REFUSED[lead.email] = 1
    assert tasks.send_notification_emails.apply(args=[ids]).get() == 1  # the retry's own count
    assert sorted(m.to[0] for m in mail.outbox).count(lead.email) == 1
    assert not Notification.objects.filter(pk__in=ids, emailed_at=None).exists()
    assert not Notification.objects.filter(pk__in=ids, email_failed_at__isnull=False).exists()


@override_settings(EMAIL_BACKEND="tests.hardening.test_email_delivery.RefusingBackend")
def test_one_refused_invitation_leaves_the_others_sent_and_only_those_marked():
    from members.invitations import invitation_send_now

    accelerator = AcceleratorFactory()
    refused, accepted = (Invitation.objects.create(accelerator=accelerator, user=UserFactory()) for _ in range(2))
    REFUSED.clear()
    REFUSED[refused.user.email] = 1
    assert invitation_send_now(invitation_ids=[refused.pk, accepted.pk]) == 1
    refused.refresh_from_db()
    accepted.refresh_from_db()
    assert (refused.sent_at, refused.send_count) == (None, 0)
    assert accepted.sent_at is not None and accepted.send_count == 1


@pytest.mark.parametrize("text", [PASTED_TITLE, "Shorter queues\nat clinics", SPOOFED_NAME, "Ali\u2066 Karimov"])
def test_forms_refuse_line_breaks_and_bidi_controls_in_titles_and_names(text):
    team = make_team()
    form = ChallengeForm(data={"title": text}, cohort=team.challenge.cohort)
    assert not form.is_valid()
    assert ONE_LINE_MESSAGE in form.errors["title"]
    invite = InviteForm(data={"email": "new@example.org", "full_name": text, "role": "member"})
    assert not invite.is_valid() and "full_name" in invite.errors
    with translation.override("ar"):
        invite = InviteForm(data={"email": "new@example.org", "full_name": text, "role": "member"})
        assert invite.errors["full_name"][0] != ONE_LINE_MESSAGE


def test_forms_keep_arabic_with_its_ordinary_marks():
    form = InviteForm(data={"email": "new@example.org", "full_name": "علي\u200f كريموف", "role": "member"})
    assert form.is_valid(), form.errors


def test_the_import_refuses_a_title_with_a_line_break():
    cohort = CohortFactory(draft=True)
    data = (
        b"title,lead entity,metric,baseline,target\r\n"
        b'"Shorter queues at the\nTashkent clinics",Ministry of Health,waiting time,40,20\r\n'
    )
    with pytest.raises(ImportRejected) as refused:
        check_rows(cohort=cohort, table=read_table(data))
    assert "one_line" in {problem.code for problem in refused.value.problems}
