"""The journey's rules, each tested directly: owners, opening days, due days, station ticking,
the charter's goal change, the refresh's re-drawn line, stale forms, and the immutable pledge."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from challenges import charts
from challenges.models import Challenge, Station, StationKind
from challenges.services import StaleEdit
from journey import services
from journey.artifacts import SPECS, ArtifactKind, FieldType
from journey.models import Artifact, Pledge
from members.models import Membership
from tests.challenges.journey import LAUNCH, make_team, on_day, tick

pytestmark = pytest.mark.django_db

PLAN = (
    "Queue redesign | Head of front office | week 1: map the queue; week 2: new triage\n"
    "Data | Analyst | week 1: daily counts"
)
CHARTER = {
    "goal_statement": "Cut the wait at the 5 busiest centres from 40 to 15 days",
    "target_value": "15",
    "plan": PLAN,
    "team_agreement": "We meet every Sunday at 9; decisions by consensus.",
}
LANDING = {
    "day_100_value": "14",
    "impact_narrative": "12,000 families waited 26 days less.",
    "lives": "12000",
    "hours": "5000",
    "money": "250000",
    "currency": "AED",
    "lessons": "Triage first.",
    "decision": "scale",
}
PLAN_ROWS = "Triage desk | Director of customer service | two clerks moved from the back office"


def _charter(team, **overrides):
    return {**CHARTER, "team_lead": str(team.lead.pk), **overrides}


def test_it_takes_each_artifact_from_its_owners_only():
    team = make_team()
    challenge = tick(team.challenge, on_day(-5))
    with pytest.raises(PermissionDenied):
        services.artifact_save(challenge=challenge, kind="charter", by=team.member, data=_charter(team), now=on_day(-5))
    with pytest.raises(PermissionDenied):
        services.artifact_save(
            challenge=challenge, kind="charter", by=team.sponsor, data=_charter(team), now=on_day(-5)
        )
    artifact = services.artifact_save(
        challenge=challenge, kind="charter", by=team.coach, data=_charter(team), now=on_day(-5)
    )
    assert artifact.content["plan"][0] == [
        "Queue redesign",
        "Head of front office",
        "week 1: map the queue; week 2: new triage",
    ]
    challenge = tick(challenge, on_day(36))
    with pytest.raises(PermissionDenied):
        services.artifact_save(
            challenge=challenge,
            kind="pulse_check",
            by=team.lead,
            data={"team_health": "4", "note": "x"},
            now=on_day(36),
        )
    services.artifact_save(
        challenge=challenge, kind="pulse_check", by=team.coach, data={"team_health": "4", "note": "ok"}, now=on_day(36)
    )


def test_it_opens_each_artifact_on_its_day_and_never_after_withdrawal():
    team = make_team()
    challenge = tick(team.challenge, on_day(80))
    with pytest.raises(ValidationError, match="Day 90"):
        services.artifact_save(challenge=challenge, kind="landing", by=team.lead, data=LANDING, now=on_day(80))
    challenge = tick(challenge, on_day(99))
    services.artifact_save(challenge=challenge, kind="landing", by=team.lead, data=LANDING, now=on_day(99))
    Challenge.objects.filter(pk=challenge.pk).update(withdrawn_at=on_day(99), withdrawn_reason="merged")
    challenge.refresh_from_db()
    with pytest.raises(ValidationError):
        services.artifact_save(challenge=challenge, kind="landing", by=team.lead, data=LANDING, now=on_day(99))


def test_its_due_days_come_from_the_stations_template():
    team = make_team()
    challenge = tick(team.challenge, on_day(1))
    stations = list(Station.objects.filter(challenge=challenge))
    assert services.due_on(challenge, SPECS["sponsor_review"], stations) == LAUNCH + timedelta(days=28)
    assert services.due_on(challenge, SPECS["pulse_check"], stations) == LAUNCH + timedelta(days=35)
    assert services.due_on(challenge, SPECS["sustainability_plan"], stations) == LAUNCH + timedelta(days=130)
    # An accelerator whose template has no such station: the spec's default day.
    assert services.due_on(challenge, SPECS["results_narrative"], []) == LAUNCH + timedelta(days=84)


def test_producing_an_artifact_ticks_its_station_once():
    team = make_team()
    challenge = tick(team.challenge, on_day(29))
    station = Station.objects.get(challenge=challenge, kind=StationKind.SPONSOR_REVIEW)
    assert station.state != Station.State.DONE
    services.artifact_save(
        challenge=challenge, kind="sponsor_review", by=team.sponsor, data={"note": "Good"}, now=on_day(29)
    )
    station.refresh_from_db()
    assert (station.state, station.done_on, station.done_by) == (
        Station.State.DONE,
        LAUNCH + timedelta(29),
        team.sponsor,
    )
    artifact = Artifact.objects.get(challenge=challenge, kind="sponsor_review")
    services.artifact_save(
        challenge=challenge, kind="sponsor_review", by=team.sponsor, data={"note": "Better"}, version=1, now=on_day(30)
    )
    station.refresh_from_db()
    artifact.refresh_from_db()
    assert station.done_on == LAUNCH + timedelta(29)
    assert artifact.version == 2
    assert [h.content["note"] for h in artifact.history.order_by("history_date")] == ["Good", "Better"]


def test_a_stale_form_is_refused_and_loses_nothing():
    team = make_team()
    challenge = tick(team.challenge, on_day(29))
    services.artifact_save(
        challenge=challenge, kind="sponsor_review", by=team.sponsor, data={"note": "A"}, now=on_day(29)
    )
    services.artifact_save(
        challenge=challenge, kind="sponsor_review", by=team.sponsor, data={"note": "B"}, version=1, now=on_day(29)
    )
    with pytest.raises(StaleEdit):
        services.artifact_save(
            challenge=challenge, kind="sponsor_review", by=team.sponsor, data={"note": "C"}, version=1, now=on_day(29)
        )
    assert Artifact.objects.get(challenge=challenge, kind="sponsor_review").content["note"] == "B"


def test_the_charter_sharpens_the_goal_and_seats_the_chosen_team_lead_with_history():
    team = make_team()
    challenge = tick(team.challenge, on_day(0))
    old_target = challenge.target_value
    services.artifact_save(
        challenge=challenge,
        kind="charter",
        by=team.lead,
        data=_charter(team, team_lead=str(team.member.pk)),
        now=on_day(0),
    )
    challenge.refresh_from_db()
    assert challenge.target_value == Decimal("15")
    assert challenge.goal_statement == CHARTER["goal_statement"]
    before, after = list(challenge.history.order_by("history_date"))[-2:]
    assert (before.target_value, after.target_value) == (old_target, Decimal("15"))
    assert after.history_change_reason == "Set by the team in its Day-0 charter"
    seats = set(Membership.objects.filter(challenge=challenge).values_list("user_id", "role"))
    assert (team.member.pk, "team_lead") in seats
    assert (team.lead.pk, "member") in seats
    assert (team.lead.pk, "team_lead") not in seats


def test_the_charter_refuses_a_target_against_the_goal_direction():
    team = make_team()  # decrease 40 → 20
    challenge = tick(team.challenge, on_day(0))
    with pytest.raises(ValidationError) as error:
        services.artifact_save(
            challenge=challenge, kind="charter", by=team.lead, data=_charter(team, target_value="55"), now=on_day(0)
        )
    assert "target_value" in error.value.message_dict
    assert not Artifact.objects.filter(challenge=challenge).exists()


def test_the_refresh_redraws_the_expected_line_from_today_with_a_reason():
    team = make_team()
    challenge = tick(team.challenge, on_day(50))
    data = {"revised_plan": PLAN, "redraw_from_value": "35"}
    with pytest.raises(ValidationError) as error:
        services.artifact_save(challenge=challenge, kind="refresh", by=team.lead, data=data, now=on_day(50))
    assert "redraw_reason" in error.value.message_dict
    data["redraw_reason"] = "The new law took effect only on Day 40."
    services.artifact_save(challenge=challenge, kind="refresh", by=team.lead, data=data, now=on_day(50))
    challenge.refresh_from_db()
    assert (challenge.trajectory_from_day, challenge.trajectory_from_value) == (50, Decimal("35"))
    chart = charts.trajectory_chart(challenge=challenge, checkins=[], today=LAUNCH + timedelta(50))
    assert [p.day for p in chart.redrawn] == [50, 100]
    assert [p.day for p in chart.expected] == [0, 100]


def test_rows_fields_report_each_bad_line():
    spec = SPECS["charter"].field("plan")
    assert spec.type == FieldType.ROWS
    with pytest.raises(ValidationError, match="Line 2"):
        spec.clean("A | B | C\nonly a name")
    with pytest.raises(ValidationError):
        SPECS["pulse_check"].field("team_health").clean("6")
    assert SPECS["landing"].field("money").clean("1,5") == "1.5"


def _sustainment(team):
    challenge = tick(team.challenge, on_day(105))
    services.artifact_save(
        challenge=challenge, kind="sustainability_plan", by=team.lead, data={"innovations": PLAN_ROWS}, now=on_day(105)
    )
    return challenge


def test_the_pledge_is_the_sponsors_and_signed_over_the_plan():
    team = make_team()
    challenge = tick(team.challenge, on_day(105))
    with pytest.raises(ValidationError):
        services.pledge_sign(challenge=challenge, by=team.sponsor, text="x", now=on_day(105))
    challenge = _sustainment(team)
    plan = Artifact.objects.get(challenge=challenge, kind=ArtifactKind.SUSTAINABILITY_PLAN)
    text = services.pledge_text(challenge=challenge, plan=plan, entity_name=challenge.lead_entity.name)
    assert "Director of customer service" in text
    with pytest.raises(PermissionDenied):
        services.pledge_sign(challenge=challenge, by=team.lead, text=text, now=on_day(105))
    with pytest.raises(StaleEdit):
        services.pledge_sign(challenge=challenge, by=team.sponsor, text=text + " and more", now=on_day(105))
    pledge = services.pledge_sign(challenge=challenge, by=team.sponsor, text=text, now=on_day(105))
    assert (pledge.signer, pledge.text, pledge.signed_at) == (team.sponsor, text, on_day(105))
    with pytest.raises(ValidationError, match="already signed"):
        services.pledge_sign(challenge=challenge, by=team.sponsor, text=text, now=on_day(106))


def test_a_signed_pledge_cannot_change_even_in_raw_sql():
    team = make_team()
    challenge = _sustainment(team)
    plan = Artifact.objects.get(challenge=challenge, kind=ArtifactKind.SUSTAINABILITY_PLAN)
    text = services.pledge_text(challenge=challenge, plan=plan, entity_name=challenge.lead_entity.name)
    pledge = services.pledge_sign(challenge=challenge, by=team.sponsor, text=text, now=on_day(105))
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(text="I pledge nothing")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE journey_pledge SET signed_at = signed_at + interval '1 day' WHERE id = %s", [pledge.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            Pledge.objects.filter(pk=pledge.pk).delete()
    pledge.refresh_from_db()
    assert pledge.text == text
