"""Which language a reader gets: the browser's first, then their own choice, remembered.

Pages: a first visit follows Accept-Language; the switcher on every page changes the language and,
for a signed-in person, stores it on their account so that a later session (another browser, no
cookie) speaks it too. E-mails: the person's choice, else their accelerator's default language.
Dates and numbers follow the reader's locale.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from challenges.models import Notification, PhaseTransition
from challenges.notifications import notify_phase_changes, send_notification_emails
from cohorts.calendar import Phase
from members.models import Membership
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTML_TAG = re.compile(r'<html lang="(?P<lang>[^"]+)" dir="(?P<dir>[^"]+)">')
ARABIC = re.compile(r"[\u0600-\u06ff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def html_lang_dir(response) -> tuple[str, str]:
    assert response.status_code == 200
    match = HTML_TAG.search(response.content.decode())
    assert match, "base.html's <html> tag carries lang and dir"
    return match["lang"], match["dir"]


def switch(client: Client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.mark.parametrize(
    ("accept_language", "lang", "direction"),
    [
        ("ar", "ar", "rtl"),
        ("ar-AE,ar;q=0.9,en;q=0.5", "ar", "rtl"),
        ("ru-RU,ru;q=0.9", "ru", "ltr"),
        ("uz", "uz", "ltr"),
        ("en-GB,en;q=0.8", "en", "ltr"),
        ("fr-FR,fr;q=0.9", "en", "ltr"),  # not offered: the site's default
        ("", "en", "ltr"),
    ],
)
def test_it_follows_the_browsers_accept_language_on_a_first_visit(client, accept_language, lang, direction):
    response = client.get(reverse("home"), headers={"accept-language": accept_language})
    assert html_lang_dir(response) == (lang, direction)
    assert response.headers["Content-Language"] == lang


def test_it_speaks_the_language_on_the_page_not_only_in_the_tag(client):
    response = client.get(reverse("login"), headers={"accept-language": "ar"})
    assert ARABIC.search(response.content.decode().split("<main", 1)[1])
    response = client.get(reverse("login"), headers={"accept-language": "ru"})
    assert CYRILLIC.search(response.content.decode().split("<main", 1)[1])


def test_it_offers_the_switcher_on_every_page_with_the_current_language_selected(client):
    response = client.get(reverse("login"), headers={"accept-language": "ru"})
    body = response.content.decode()
    assert f'action="{reverse("set_language")}"' in body
    assert re.search(r'<option value="ru" lang="ru" selected>', body)
    for code, _name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in body


def test_the_switcher_beats_the_browser_for_an_anonymous_reader(client):
    response = switch(client, "ar", next_url=reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    response = client.get(reverse("home"), headers={"accept-language": "ru"})
    assert html_lang_dir(response) == ("ar", "rtl")


def test_it_remembers_a_signed_in_persons_choice_across_sessions():
    person = UserFactory(preferred_language="")
    first_browser = Client(headers={"accept-language": "en"})
    first_browser.force_login(person)
    switch(first_browser, "uz")
    person.refresh_from_db()
    assert person.preferred_language == "uz"
    assert html_lang_dir(first_browser.get(reverse("home"))) == ("uz", "ltr")

    # Another day, another browser: no cookie, a browser asking for Russian. The account decides.
    second_browser = Client(headers={"accept-language": "ru"})
    second_browser.force_login(person)
    assert html_lang_dir(second_browser.get(reverse("home"))) == ("uz", "ltr")

    # Switching again in that browser moves the saved choice too.
    switch(second_browser, "ar")
    person.refresh_from_db()
    assert person.preferred_language == "ar"
    third_browser = Client()
    third_browser.force_login(person)
    assert html_lang_dir(third_browser.get(reverse("home"))) == ("ar", "rtl")


def test_it_follows_the_browser_for_a_person_who_never_chose(client):
    client.force_login(UserFactory(preferred_language=""))
    assert html_lang_dir(client.get(reverse("home"), headers={"accept-language": "ru"})) == ("ru", "ltr")


def test_it_ignores_an_unknown_language_and_keeps_the_saved_one(client):
    person = UserFactory(preferred_language="ru")
    client.force_login(person)
    response = switch(client, "xx")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.preferred_language == "ru"
    assert html_lang_dir(client.get(reverse("home"))) == ("ru", "ltr")


def test_the_switcher_refuses_to_redirect_off_site(client):
    response = switch(client, "ar", next_url="https://evil.example/")
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_the_switcher_is_post_only(client):
    assert client.get(reverse("set_language"), {"language": "ar"}).status_code == 405


def test_reader_language_prefers_the_person_then_the_accelerator():
    uzbek_program = AcceleratorFactory(default_language="uz")
    assert UserFactory(preferred_language="").reading_language(uzbek_program) == "uz"
    assert UserFactory(preferred_language="ru").reading_language(uzbek_program) == "ru"
    assert UserFactory(preferred_language="").reading_language(None) == settings.LANGUAGE_CODE


def test_e_mails_speak_the_accelerators_default_unless_the_person_chose():
    uae = AcceleratorFactory(default_language="ar", time_zone="Asia/Dubai", country="AE")
    challenge = ChallengeFactory(cohort=CohortFactory(accelerator=uae))
    no_choice = MembershipFactory(challenge=challenge, role=Membership.Role.TEAM_LEAD, user__preferred_language="")
    russian = MembershipFactory(challenge=challenge, role=Membership.Role.COACH, user__preferred_language="ru")
    english = MembershipFactory(challenge=challenge, role=Membership.Role.SPONSOR, user__preferred_language="en")
    transition = PhaseTransition.objects.create(
        challenge=challenge,
        from_phase=Phase.DESIGN,
        to_phase=Phase.ACCELERATION,
        effective_on=date(2026, 3, 2),
        recorded_at=timezone.now(),
    )
    mail.outbox.clear()

    assert notify_phase_changes(transitions=[(challenge.pk, transition.to_phase)]) == 3
    assert send_notification_emails(notification_ids=list(Notification.objects.values_list("pk", flat=True))) == 3

    by_reader = {message.to[0]: message for message in mail.outbox}
    arabic = by_reader[no_choice.user.email]
    assert ARABIC.search(arabic.subject) and ARABIC.search(arabic.body)
    cyrillic = by_reader[russian.user.email]
    assert CYRILLIC.search(cyrillic.subject) and CYRILLIC.search(cyrillic.body)
    plain = by_reader[english.user.email]
    assert not ARABIC.search(plain.subject + plain.body) and not CYRILLIC.search(plain.subject + plain.body)


@pytest.mark.parametrize(
    ("language", "launch_day", "decimal_separator"),
    [
        ("en", "1 March 2026", "."),
        ("ar", "1 مارس 2026", "."),
        ("uz", "1-mart, 2026-yil", ","),
        ("ru", "1 марта 2026 г.", ","),
    ],
)
def test_it_shows_dates_and_numbers_in_the_readers_locale(client, language, launch_day, decimal_separator):
    challenge = ChallengeFactory(
        cohort=CohortFactory(launch_date=date(2026, 3, 1)),
        direction="increase",
        baseline_value=Decimal("12.5"),
        target_value=Decimal("30"),
    )
    lead = MembershipFactory(challenge=challenge, role=Membership.Role.TEAM_LEAD, user__preferred_language=language)
    client.force_login(lead.user)
    body = client.get(reverse("challenge_detail", args=[challenge.pk])).content.decode()
    assert launch_day in body
    baseline = re.search(r"<bdi[^>]*>12(?P<separator>\D)5 → 30</bdi>", body)
    assert baseline, "the baseline 12.5 is on the page"
    assert baseline["separator"] == decimal_separator
