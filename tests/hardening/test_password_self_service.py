"""Self-service password change and reset, rate-limited, telling nothing about who has an account
(issue 15, point 11).

What found it: the hand probe. A person who forgot their password had to ask a program admin
for a new invitation, and nobody could change a password without one.
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from members import passwords
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "the old password 2026"
NEW = "a brand new password 2026"


@pytest.fixture(autouse=True)
def run_queued_tasks_now(monkeypatch, django_capture_on_commit_callbacks):
    """The view queues the e-mail on commit; here the worker's part runs in the test, at once."""
    cache.clear()
    monkeypatch.setattr(
        passwords.send_password_reset,
        "apply_async",
        lambda args=None, kwargs=None, **options: passwords.send_password_reset.apply(args, kwargs),
    )
    with django_capture_on_commit_callbacks(execute=True):
        yield
    cache.clear()


@pytest.fixture
def person():
    user = UserFactory(preferred_language="")
    user.set_password(OLD)
    user.save()
    return user


def ask_for_reset(client, email: str, ip: str = "203.0.113.9"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_the_same_answer_whether_or_not_the_address_has_an_account(client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask_for_reset(client, person.email)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = ask_for_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "\n" not in mail.outbox[0].subject


def test_the_link_sets_a_new_password_once(client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, person.email)
    link = link_in(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert Client().login(username=person.email, password=NEW)
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False
    assert "This link does not work any more" in again.content.decode()


def test_the_e_mail_speaks_the_persons_language(client, person, django_capture_on_commit_callbacks):
    person.preferred_language = "ru"
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, person.email)
    assert "Government Accelerators" not in mail.outbox[0].subject


def test_resets_are_rate_limited_per_address_and_per_client(client, person, django_capture_on_commit_callbacks):
    for _ in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            assert ask_for_reset(client, person.email).status_code == 302
    assert len(mail.outbox) == passwords.RESETS_PER_ADDRESS
    mail.outbox.clear()
    others = [UserFactory() for _ in range(passwords.RESETS_PER_CLIENT + 5)]
    for other in others:
        with django_capture_on_commit_callbacks(execute=True):
            assert ask_for_reset(client, other.email, ip="198.51.100.77").status_code == 302
    assert len(mail.outbox) == passwords.RESETS_PER_CLIENT


def test_a_signed_in_person_changes_their_password(client, person):
    client.force_login(person)
    response = client.post(
        reverse("password_change"), {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200  # still signed in here
    assert Client().login(username=person.email, password=NEW)


def test_the_change_form_stops_checking_after_too_many_wrong_passwords(client, person):
    client.force_login(person)
    for _ in range(passwords.CHANGE_FAILURES):
        wrong = client.post(
            reverse("password_change"), {"old_password": "guess", "new_password1": NEW, "new_password2": NEW}
        )
        assert wrong.status_code == 200
    refused = client.post(reverse("password_change"), {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert refused.status_code == 200
    assert "Too many wrong passwords" in refused.content.decode()
    assert Client().login(username=person.email, password=OLD)
