"""Every page a signed-in person opens says ``Cache-Control: private, no-store`` (issue 15, point 7).

What found it: the authenticated scan reported that no signed-in page sent ``Cache-Control``,
so a shared proxy could keep a cohort board and a browser could show it again after sign-out.
Every URL each role may GET is requested here, as in the access matrix.
"""

import pytest
from django.urls import reverse

from members.policy import OK, ROLES
from tests.hardening.forms import path_for, walk_patterns

pytestmark = pytest.mark.django_db

OWN_CACHE_CONTROL = {"theme_css"}  # a public stylesheet that sets its own header


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_every_signed_in_page_is_private_and_not_stored(client, standard_world):
    world = standard_world
    checked = 0
    for role in ROLES:
        person = world.people[role]
        if person is None:
            continue
        client.force_login(person)
        for _route, pattern, policy, name in walk_patterns():
            if policy.expected("GET", role) != OK or name in OWN_CACHE_CONTROL:
                continue
            path = path_for(pattern, name, world)
            response = client.get(path)
            assert {"private", "no-store"} <= directives(response), (role, path, response.get("Cache-Control"))
            checked += 1
        client.logout()
    assert checked > 50


def test_the_exports_and_the_theme_keep_their_own_header(client, standard_world):
    world = standard_world
    client.force_login(world.people["official_in_scope"])
    export = client.get(reverse("cohort_export_csv", args=[world.cohort.pk]))
    assert export["Cache-Control"] == "private, no-store"
    theme = client.get(reverse("theme_css", args=[world.accelerator.slug]))
    assert "public" in directives(theme)


def test_responses_to_nobody_in_particular_are_left_alone(client):
    assert "Cache-Control" not in client.get(reverse("healthz"))
