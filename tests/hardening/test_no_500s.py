"""Inputs the outside scan sent that gave a 500, and the probe that redirected /healthz (issue 15, point 12).

What found them: the scanner's long-string and type-confusion payloads (a 256-character
username, ``notification=²``, ``seat=abc``, ``invitation=abc``) and a load balancer's plain-HTTP
probe of ``/healthz``, which production settings redirected to HTTPS.
"""

import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from challenges.models import Notification
from members.models import Invitation, Membership
from tests.access_world import build_world
from tests.factories import CohortFactory, UserFactory
from tests.hardening.test_deploy_check import ROOT, production_env

pytestmark = pytest.mark.django_db

LONG_USERNAME = "a" * 244 + "@example.org"  # 256 characters, one more than the lockout table's varchar(255)


@override_settings(AXES_ENABLED=True)
@pytest.mark.parametrize("username", [LONG_USERNAME, "b" * 5000])
def test_a_very_long_username_on_the_sign_in_form_is_refused_cleanly(client, username):
    assert len(LONG_USERNAME) == 256
    response = client.post(reverse("login"), {"username": username, "password": "not-the-password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session  # still signed out


@pytest.mark.parametrize("value", ["²", "abc", "1e3", "-1", "99999999999999999999999", " 7"])
def test_a_malformed_notification_id_changes_nothing_and_gives_no_500(client, value):
    person = UserFactory()
    Notification.objects.create(user=person, message="Check-in due")
    client.force_login(person)
    response = client.post(reverse("notifications"), {"notification": value})
    assert response.status_code == 302
    assert Notification.objects.get().read_at is None  # junk never means "mark all read"


def test_marking_one_notification_and_all_still_works(client):
    person = UserFactory()
    first, second = (Notification.objects.create(user=person, message=m) for m in ("one", "two"))
    client.force_login(person)
    client.post(reverse("notifications"), {"notification": str(first.pk)})
    assert Notification.objects.filter(read_at__isnull=False).get() == first
    client.post(reverse("notifications"))
    assert not Notification.objects.filter(read_at=None).exists()


@pytest.mark.parametrize("field", ["seat", "invitation"])
@pytest.mark.parametrize("value", ["abc", "²", "99999999999999999999999", "1.5"])
def test_a_malformed_seat_or_invitation_id_gives_a_404_not_a_500(client, field, value):
    world = build_world()
    draft = CohortFactory(accelerator=world.accelerator, draft=True)
    world.challenge.cohort = draft
    world.challenge.save(update_fields=["cohort"])
    Invitation.objects.create(accelerator=world.accelerator, user=world.people["member"])
    seats = Membership.objects.count()
    client.force_login(world.people["admin"])
    action = {"seat": "remove", "invitation": "resend"}[field]
    response = client.post(
        reverse("manage_challenge_people", args=[world.challenge.pk]), {"action": action, field: value}
    )
    assert response.status_code == 404
    assert Membership.objects.count() == seats


PROBE = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="accelerators.example.gov")
print(client.get("/healthz").status_code, client.get("/accounts/login/").status_code)
"""


def test_healthz_answers_plain_http_under_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=production_env(VAR_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    healthz, login = result.stdout.split()[-2:]
    assert (healthz, login) == ("200", "301")  # the probe is answered; every other page still goes to HTTPS
