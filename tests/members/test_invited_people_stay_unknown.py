"""An invitation reveals nothing about an existing account (issue 15, point 5).

What found it: a program admin of one accelerator invited the address of another accelerator's
person; from then on that person's real name, job title, entity and staff flag showed in the
admin's people search, seat forms and the accelerator's history. Here the admin of B invites the
address of A's deputy minister under a made-up name: B sees only the made-up name, everywhere,
until the person accepts.
"""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit import history as audit
from challenges.forms import BlockerForm
from cohorts.models import Cohort, User
from journey.selectors import people_names
from members.invitations import (
    invitation_accept,
    invitation_create,
    invitation_send_now,
    masked_names,
    people_known_to,
)
from members.models import AcceleratorRole, Invitation, Membership
from members.people import NAME_NOT_FOUND, PeopleLookup, parse_people
from tests.factories import AcceleratorFactory, ChallengeFactory, EntityFactory, GrantFactory, UserFactory
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db

ADDRESS = "g.yusupova@soliq.uz"
REAL_NAME = "Gulnora Yusupova"
JOB_TITLE = "Deputy Minister of Finance"
ENTITY = "State Tax Committee"
MADE_UP = "Zarina Test"


@pytest.fixture
def b():
    """Accelerator B: its admin, a draft cohort and one challenge."""
    journey = build_journey()
    journey.challenge = ChallengeFactory(cohort=journey.cohort, title="Fewer paper forms")
    return journey


def a_person():
    """A's deputy minister: a real account, in another government's accelerator."""
    a = AcceleratorFactory(name="Accelerator A")
    entity = EntityFactory(accelerator=a, name=ENTITY)
    return UserFactory(email=ADDRESS, full_name=REAL_NAME, job_title=JOB_TITLE, entity=entity, is_staff=True)


def invite(client, b, *, follow=True):
    return client.post(
        reverse("manage_challenge_people", args=[b.challenge.pk]),
        {"action": "invite", "email": ADDRESS, "full_name": MADE_UP, "role": "member"},
        follow=follow,
    )


def pages_of(b) -> list[str]:
    """Every page of B where its people show, as its admin sees them."""
    challenge, cohort, accelerator = b.challenge, b.cohort, b.accelerator
    return [
        reverse("manage_challenge_people", args=[challenge.pk]),
        reverse("manage_cohort", args=[cohort.pk]),
        reverse("manage_cohort_team", args=[cohort.pk]),
        reverse("manage_team_lead_replace", args=[challenge.pk]),
        reverse("challenge_detail", args=[challenge.pk]),
        reverse("challenge_history", args=[challenge.pk]),
        reverse("cohort_history", args=[cohort.pk]),
        reverse("accelerator_history", args=[accelerator.slug]),
    ]


SECRETS = (REAL_NAME, "Gulnora", "Yusupova", JOB_TITLE, ENTITY)


def assert_nothing_of_a(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} shows on {where}"


def test_b_sees_only_the_made_up_name_everywhere(client, b):
    person = a_person()
    client.force_login(b.admin)
    after = invite(client, b)
    assert after.status_code == 200
    assert_nothing_of_a(after.content.decode(), "the page after inviting")
    seat = Membership.objects.get(challenge=b.challenge, user=person)
    for url in pages_of(b):
        page = client.get(url)
        assert page.status_code == 200, url
        assert_nothing_of_a(page.content.decode(), url)
    shown = client.get(reverse("manage_challenge_people", args=[b.challenge.pk])).content.decode()
    assert MADE_UP in shown and ADDRESS in shown

    # The history of a seat change names them as the invitation did.
    client.post(
        reverse("manage_challenge_people", args=[b.challenge.pk]),
        {"action": "remove", "seat": seat.pk, "confirm": "1"},
    )
    for url in pages_of(b):
        assert_nothing_of_a(client.get(url).content.decode(), f"{url} after removing the seat")
    assert any(
        MADE_UP in (change.old + change.new)
        for entry in audit.challenge_history(b.challenge)
        for change in entry.changes
    ), "the removed seat is named as the invitation named them"


def test_searching_b_by_as_real_name_or_job_title_finds_nothing(client, b):
    person = a_person()
    client.force_login(b.admin)
    invite(client, b)
    people_url = reverse("manage_challenge_people", args=[b.challenge.pk])
    replace_url = reverse("manage_team_lead_replace", args=[b.challenge.pk])
    for query in ("Yusupova", "Gulnora", "Deputy Minister", "Finance", "Юсупова"):
        for url in (people_url, replace_url):
            page = client.get(url, {"q": query})
            assert page.context["results"] == [], (url, query)
            partial = client.get(url, {"q": query}, HTTP_HX_REQUEST="true")
            for text in (page.content.decode(), partial.content.decode()):  # the query itself is echoed
                assert REAL_NAME not in text and JOB_TITLE not in text and ENTITY not in text, (url, query)
    suggestions = client.get(
        reverse("manage_cohort_team", args=[b.cohort.pk]),
        {f"c{b.challenge.pk}-member": "Yusupova"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME=f"c{b.challenge.pk}-member",
    )
    assert_nothing_of_a(suggestions.content.decode(), "the team page's suggestions")
    assert person not in people_known_to(b.accelerator)

    # Named by A's real name in a team field or a file, nobody is found; by the made-up name, the invitee.
    lookup = PeopleLookup(accelerator=b.accelerator, written=parse_people(f"{REAL_NAME}; {MADE_UP}; {ADDRESS}"))
    real, made_up, address = (lookup.resolve(w) for w in parse_people(f"{REAL_NAME}; {MADE_UP}; {ADDRESS}"))
    assert real.problem == NAME_NOT_FOUND
    assert made_up.user_id == person.pk and address.user_id == person.pk

    # Nor can a seat form pick them by id.
    response = client.post(people_url, {"action": "add", "person": person.pk, "role": "coach"})
    assert response.status_code == 200 and "Pick a person from the search results." in response.content.decode()
    assert not Membership.objects.filter(user=person, role="coach").exists()


def normalised(response) -> str:
    """The page without what differs between any two requests: CSRF tokens and row ids."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r"hx-headers=\'[^\']*\'", "", text)
    return re.sub(r"\d+", "N", text)


def invite_and_forget(client, b) -> tuple:
    """Invite, read every page, then roll it all back, so the next invitation starts from the same world."""
    with transaction.atomic():
        first = invite(client, b, follow=False)
        after = client.get(first["Location"])
        pages = [normalised(client.get(url)) for url in pages_of(b)]
        invitation = Invitation.objects.get(user__email=ADDRESS)
        mail.outbox.clear()
        invitation_send_now(invitation_ids=[invitation.pk])
        email = (mail.outbox[0].subject, re.sub(r"/invitations/\S+", "/invitations/LINK", mail.outbox[0].body))
        transaction.set_rollback(True)
    return (first.status_code, first["Location"]), normalised(after), pages, email


def test_inviting_an_existing_or_a_new_address_answers_byte_for_byte_the_same(client, b):
    client.force_login(b.admin)
    new = invite_and_forget(client, b)
    assert not User.objects.filter(email=ADDRESS).exists()
    a_person()
    existing = invite_and_forget(client, b)
    assert existing[0] == new[0], "the same redirect"
    assert existing[1] == new[1], "the same page after inviting"
    for url, was, now in zip(pages_of(b), new[2], existing[2], strict=True):
        assert was == now, f"{url} differs"
    assert existing[3] == new[3], "the same e-mail"


def test_once_they_accept_they_belong_and_show_as_themselves(client, b):
    person = a_person()
    client.force_login(b.admin)
    invite(client, b)
    assert masked_names(b.accelerator, [person.pk]) == {person.pk: MADE_UP}
    invitation_accept(user=person, password="a-strong-passphrase-42")
    assert masked_names(b.accelerator, [person.pk]) == {}
    assert person in people_known_to(b.accelerator)
    page = client.get(reverse("manage_challenge_people", args=[b.challenge.pk]), {"q": "Yusupova"})
    assert [p.pk for p in page.context["results"]] == [person.pk]


def test_someone_who_belongs_through_their_entity_is_shown_as_themselves(client, b):
    """An admin who invites one of their own entities' staff learns nothing new, and hides nothing."""
    own = UserFactory(email="own@example.org", full_name="Own Staff", entity=b.entities["justice"])
    client.force_login(b.admin)
    client.post(
        reverse("manage_challenge_people", args=[b.challenge.pk]),
        {"action": "invite", "email": "own@example.org", "full_name": "Other Name", "role": "member"},
    )
    assert masked_names(b.accelerator, [own.pk]) == {}
    assert own in people_known_to(b.accelerator)


def test_as_team_lead_of_a_launched_cohort_the_boards_exports_and_forms_name_them_as_typed(client, b):
    person = a_person()
    client.force_login(b.admin)
    client.post(
        reverse("manage_challenge_people", args=[b.challenge.pk]),
        {"action": "invite", "email": ADDRESS, "full_name": MADE_UP, "role": "team_lead"},
    )
    Cohort.objects.filter(pk=b.cohort.pk).update(status="launched", launched_at=timezone.now())
    official = GrantFactory(accelerator=b.accelerator, role=AcceleratorRole.Role.OFFICIAL).user
    lead_of_another = ChallengeFactory(cohort=b.cohort, title="Faster permits")
    colleague = Membership.objects.create(challenge=b.challenge, user=UserFactory(), role="member").user
    Membership.objects.create(challenge=lead_of_another, user=colleague, role="team_lead")
    for reader in (b.admin, official, colleague):
        client.force_login(reader)
        page = client.get(reverse("challenge_detail", args=[b.challenge.pk]))
        assert page.status_code == 200
        assert_nothing_of_a(page.content.decode(), f"the challenge page as {reader}")
        if reader is colleague:
            continue  # a team member has no cohort board
        for name in ("cohort_board", "cohort_export_csv", "cohort_briefing"):
            response = client.get(reverse(name, args=[b.cohort.pk]))
            assert response.status_code == 200, name
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert_nothing_of_a(body.decode(), f"{name} as {reader}")
            if name == "cohort_board":
                assert MADE_UP in body.decode()
        xlsx = client.get(reverse("cohort_export_xlsx", args=[b.cohort.pk]))
        cells = " ".join(
            str(c.value) for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row
        )
        assert_nothing_of_a(cells, f"the XLSX export as {reader}")
        assert MADE_UP in cells
    # The blocker form a team member fills (on the web and in Telegram) names the owner as typed.
    labels = [label for _value, label in BlockerForm(challenge=b.challenge).fields["owner"].choices]
    assert str(MADE_UP) in map(str, labels) and REAL_NAME not in map(str, labels)
    assert person.pk in people_names(b.challenge) and people_names(b.challenge)[person.pk] == MADE_UP


def test_accepting_one_accelerators_invitation_reveals_them_to_no_other(client, b):
    person = a_person()
    c = AcceleratorFactory(name="Accelerator C")
    invitation_create(accelerator=c, email=ADDRESS, full_name="Another Made-up", by=None)
    to_b = invitation_create(accelerator=b.accelerator, email=ADDRESS, full_name=MADE_UP, by=b.admin)
    invitation_send_now(invitation_ids=[to_b.pk])
    link = re.search(r"https?://\S+/invitations/\S+", mail.outbox[0].body).group(0).split("8000", 1)[-1]
    response = client.post(link, {"new_password1": "a-strong-passphrase-42", "new_password2": "a-strong-passphrase-42"})
    assert response.status_code == 302
    assert person in people_known_to(b.accelerator) and masked_names(b.accelerator, [person.pk]) == {}
    assert person not in people_known_to(c) and masked_names(c, [person.pk]) == {person.pk: "Another Made-up"}


def test_blockers_they_raise_or_own_name_them_as_typed_in_the_notifications_and_e_mails(
    client, b, django_capture_on_commit_callbacks
):
    # The pages masked them, but the notification texts (and so their e-mail and Telegram copies)
    # were written with the account's own name: "Gulnora Yusupova raised a blocker…", "Owner: …".
    from challenges import notifications
    from challenges.escalation import blockers_escalate_overdue
    from challenges.models import Notification
    from challenges.services import blocker_raise

    person = a_person()
    client.force_login(b.admin)
    client.post(
        reverse("manage_challenge_people", args=[b.challenge.pk]),
        {"action": "invite", "email": ADDRESS, "full_name": MADE_UP, "role": "member"},
    )
    sponsor = Membership.objects.create(challenge=b.challenge, user=UserFactory(), role="sponsor").user
    coach = Membership.objects.create(challenge=b.challenge, user=UserFactory(), role="coach").user
    lead = Membership.objects.create(challenge=b.challenge, user=UserFactory(), role="team_lead").user
    today = b.accelerator.local_today()
    with django_capture_on_commit_callbacks(execute=True):
        raised = blocker_raise(challenge=b.challenge, by=person, description="Registry closed", severity="high")
        blocker_raise(
            challenge=b.challenge,
            by=lead,
            owner=person,
            description="Data sharing agreement unsigned",
            severity="medium",
            decision_needed_by=today,
        )
    told = Notification.objects.filter(blocker=raised)
    assert {n.user for n in told} == {sponsor, coach}
    for notification in told:
        assert notification.message.startswith(f"{MADE_UP} raised a"), notification.message
        assert_nothing_of_a(notification.message, "the blocker-raised notification")
    with django_capture_on_commit_callbacks(execute=True):
        escalated = blockers_escalate_overdue(now=timezone.now() + timedelta(days=2))
    assert len(escalated) == 1
    overdue = Notification.objects.get(kind=Notification.Kind.BLOCKER_OVERDUE)
    assert f"Owner: {MADE_UP}." in overdue.message
    assert_nothing_of_a(overdue.message, "the overdue-blocker notification")
    notifications.send_notification_emails(notification_ids=list(Notification.objects.values_list("pk", flat=True)))
    assert mail.outbox and all(REAL_NAME not in message.body for message in mail.outbox)
    # Once they accept, they are themselves.
    invitation_accept(user=person, password="a-strong-passphrase-42")
    again = blocker_raise(challenge=b.challenge, by=person, description="Again", severity="low")
    assert Notification.objects.filter(blocker=again).first().message.startswith(f"{REAL_NAME} raised a")
