"""Seed the load-test database: one accelerator in acceleration, team leads and officials.

Run as a script against the load database (``DATABASE_URL``); writes the journeys' accounts and
URLs (only the pages that exist: the URL names are looked up at run time) as JSON to argv[1].
"""

import json
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from challenges.models import Challenge  # noqa: E402
from challenges.services import accelerator_install_default_stations  # noqa: E402
from cohorts.models import Accelerator, Cohort, Entity, User  # noqa: E402
from members.models import AcceleratorRole, Membership  # noqa: E402

PASSWORD = "load-test-password-2026"
LEADS, OFFICIALS, EXTRA_CHALLENGES = 60, 30, 140


def url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def main(out_path: str) -> None:
    accelerator = Accelerator.objects.create(
        name="Load Accelerator", slug="load", country="UZ", time_zone="Asia/Tashkent"
    )
    accelerator_install_default_stations(accelerator=accelerator)
    today = accelerator.local_today()
    cohort = Cohort.objects.create(
        accelerator=accelerator,
        number=1,
        name="Load cohort",
        design_start=today - timedelta(days=60),
        launch_date=today - timedelta(days=20),
        sustainment_days=90,
        status=Cohort.Status.LAUNCHED,
        launched_at=timezone.now(),
    )
    entity = Entity.objects.create(accelerator=accelerator, name="Ministry of Load")
    challenges = Challenge.objects.bulk_create(
        Challenge(
            cohort=cohort,
            lead_entity=entity,
            title=f"Load challenge {i}",
            metric="Waiting time",
            unit="days",
            direction="decrease",
            baseline_value=Decimal("40"),
            target_value=Decimal("20"),
        )
        for i in range(LEADS + EXTRA_CHALLENGES)
    )
    password = make_password(PASSWORD)
    leads = User.objects.bulk_create(
        User(email=f"lead{i}@load.example", full_name=f"Lead {i}", password=password) for i in range(LEADS)
    )
    Membership.objects.bulk_create(
        Membership(challenge=challenge, user=lead, role=Membership.Role.TEAM_LEAD)
        for challenge, lead in zip(challenges, leads, strict=False)
    )
    officials = User.objects.bulk_create(
        User(email=f"official{i}@load.example", full_name=f"Official {i}", password=password) for i in range(OFFICIALS)
    )
    AcceleratorRole.objects.bulk_create(
        AcceleratorRole(user=official, accelerator=accelerator, role=AcceleratorRole.Role.OFFICIAL)
        for official in officials
    )
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from challenges.clock import clock_tick

    def session_for(user) -> str:
        """A signed-in session made directly: the journeys are about the pages, not the password hasher."""
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    clock_tick(accelerator_ids=[accelerator.pk])

    seed = {
        "password": PASSWORD,
        "login": url("login"),
        "leads": [
            {
                "email": lead.email,
                "session": session_for(lead),
                "challenge_id": challenge.pk,
                "page": url("challenge_detail", challenge_id=challenge.pk),
                "checkin": url("checkin_post", challenge_id=challenge.pk),
            }
            for lead, challenge in zip(leads, challenges, strict=False)
        ],
        "my": url("my_challenges"),
        "officials": [{"email": o.email, "session": session_for(o)} for o in officials],
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "dashboards": [
            path
            for path in [
                url("dashboard_index"),
                url("accelerator_overview", slug=accelerator.slug),
                url("cohort_board", cohort_id=cohort.pk),
                url("cohort_export_csv", cohort_id=cohort.pk),
                url("challenge_detail", challenge_id=challenges[-1].pk),
            ]
            if path
        ],
        "board": url("cohort_board", cohort_id=cohort.pk),
    }
    Path(out_path).write_text(json.dumps(seed, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
