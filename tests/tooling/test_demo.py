"""The demo data reads as a real cohort would (found by walking `make run`)."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from cohorts.models import Cohort, User
from tooling.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_cohorts_were_launched_on_their_launch_day_not_when_the_demo_was_seeded(client):
    load_demo()
    admin = User.objects.get(email="admin@demo.accelerators.example")
    client.force_login(admin)
    for cohort in Cohort.objects.filter(status=Cohort.Status.LAUNCHED).select_related("accelerator"):
        local = timezone.localtime(cohort.launched_at, ZoneInfo(cohort.accelerator.time_zone))
        assert local.date() == cohort.launch_date
        launch = cohort.history.filter(status=Cohort.Status.LAUNCHED).earliest("history_date")
        assert launch.history_date == cohort.launched_at
        page = strip_tags(client.get(reverse("manage_cohort", kwargs={"cohort_id": cohort.pk})).content.decode())
        assert f"Launched by {admin.full_name} on {cohort.launch_date.day} {cohort.launch_date:%B %Y}, 09:00" in page


def test_make_run_prints_the_address_it_serves_on_when_web_port_is_set(tmp_path):
    """`WEB_PORT=8765 make run` served on 8765 but printed 8000 (found trying it): the printed address
    and the links in e-mails follow the port."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env.update(WEB_PORT="8765", VAR_DIR=str(tmp_path))
    env["DJANGO_SETTINGS_MODULE"] = "accelerators.settings.base"
    script = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    printed = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert printed.stdout.strip() == "http://127.0.0.1:8765"
