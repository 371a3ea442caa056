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
