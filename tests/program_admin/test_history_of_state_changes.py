"""Every state change is in the history with who, when and what: launch, team changes, withdrawals,
check-in corrections, goal corrections, the clock's phase changes, blockers resolved."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from audit.history import challenge_history, cohort_history
from challenges.clock import clock_tick
from challenges.services import blocker_raise, blocker_resolve, challenge_withdraw, checkin_submit
from members.models import Membership
from program_admin import services
from tests.factories import ChallengeFactory, MembershipFactory
from tests.program_admin.journey import build_journey

pytestmark = pytest.mark.django_db

BEFORE_LAUNCH = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Tashkent"))
DAY_10 = datetime(2026, 6, 11, 10, 0, tzinfo=ZoneInfo("Asia/Tashkent"))


@pytest.fixture
def launched():
    with time_machine.travel(BEFORE_LAUNCH, tick=False):
        journey = build_journey()
        challenge = ChallengeFactory(
            cohort=journey.cohort, lead_entity=journey.entities["health"], title="Shorter queues"
        )
        for key, role in [("lead", "team_lead"), ("coach", "coach"), ("sponsor", "sponsor")]:
            MembershipFactory(challenge=challenge, user=journey.people[key], role=role)
        services.cohort_launch(cohort=journey.cohort, by=journey.admin)
    return journey, challenge


def _labels(entries):
    return {(entry.model_label, entry.kind, entry.who) for entry in entries}


def test_the_launch_is_in_the_cohort_history_with_who_launched_it(client, launched):
    journey, challenge = launched
    entries = cohort_history(journey.cohort)
    launch = next(e for e in entries if e.model_label == "cohort" and any(c.label == "status" for c in e.changes))
    assert launch.who == journey.admin
    assert [(c.old, c.new) for c in launch.changes if c.label == "status"] == [("draft", "launched")]
    # Team seats appear on the cohort's history too.
    assert ("team seat", "+", None) in {(e.model_label, e.kind, None) for e in cohort_history(journey.cohort)}
    client.force_login(journey.admin)
    page = client.get(reverse("cohort_history", args=[journey.cohort.pk])).content.decode()
    assert "launched" in page


def test_the_challenge_history_has_every_kind_of_change(launched):
    journey, challenge = launched
    lead = journey.people["lead"]
    with time_machine.travel(DAY_10, tick=False):
        clock_tick(notify=False)
        checkin_submit(challenge=challenge, by=lead, value=Decimal("38"), done="Mapped the queue", confidence=3)
        checkin_submit(challenge=challenge, by=lead, value=Decimal("37"), done="Mapped the queue", confidence=3)
        blocker = blocker_raise(challenge=challenge, by=lead, description="No budget line", severity="high")
        blocker_resolve(blocker=blocker, by=journey.people["sponsor"], resolution="Budget found", version=1)
        seat = Membership.objects.get(challenge=challenge, role="coach")
        seat._history_user = journey.admin
        seat.delete()
    with time_machine.travel(DAY_10 + timedelta(hours=1), tick=False):
        challenge_withdraw(challenge=challenge, by=journey.admin, reason="Merged into e-services")
    entries = challenge_history(challenge)
    kinds = {(entry.model_label, entry.kind) for entry in entries}
    assert ("phase", "~") in kinds  # the clock's transition
    phase = next(e for e in entries if e.model_label == "phase")
    assert phase.who is None and [(c.old, c.new) for c in phase.changes][0] == ("design", "acceleration")
    correction = next(e for e in entries if e.model_label == "check-in" and e.kind == "~" and e.who == lead)
    assert ("38", "37") in [(c.old, c.new) for c in correction.changes]
    resolved = next(e for e in entries if e.model_label == "blocker" and e.who == journey.people["sponsor"])
    assert ("open", "resolved") in [(c.old, c.new) for c in resolved.changes]
    assert ("team seat", "-", journey.admin) in _labels(entries)
    withdrawal = next(e for e in entries if any(c.label == "reason for withdrawal" for c in e.changes))
    assert withdrawal.who == journey.admin and withdrawal.reason == "Merged into e-services"
    assert [(c.old, c.new) for c in withdrawal.changes if c.label == "status"] == [("not started", "withdrawn")]
