"""Signing in writes no history row on the person (issue 15, point 6).

What found it: the accelerator's history page (``/history/accelerators/<slug>/``) showed a
"Saved with no visible change" row on a person for every sign-in: Django's ``update_last_login``
saves the user, simple-history recorded it, and anyone reading the history learned when each
person signs in.
"""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 2026"


def test_signing_in_records_last_login_but_no_history_row(client):
    person = UserFactory()
    person.set_password(PASSWORD)
    person.save()
    rows = person.history.count()
    for _ in range(3):
        response = client.post(reverse("login"), {"username": person.email, "password": PASSWORD})
        assert response.status_code == 302
        client.logout()
    person.refresh_from_db()
    assert person.last_login is not None
    assert person.history.count() == rows


def test_a_real_change_to_the_person_is_still_recorded():
    person = UserFactory()
    rows = person.history.count()
    person.job_title = "Director of digital services"
    person.save()
    assert person.history.count() == rows + 1
