"""Check-ins: periods, one per period, the 24-hour correction window with revisions, optimistic
concurrency, bad input, per-role access and the htmx / no-JavaScript round trips."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from challenges import goals, periods
from challenges.models import Challenge, CheckIn, CheckInRevision, Status
from challenges.services import StaleEdit, checkin_submit
from tests.challenges.journey import LAUNCH, make_team, on_day, tick
from tests.factories import CohortFactory, GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def post(team, *, by=None, value="37", done="Opened a second counter", now=None, version=None, **extra):
    return checkin_submit(
        challenge=team.challenge,
        by=by or team.lead,
        value=Decimal(value),
        done=done,
        next_steps=extra.get("next_steps", ""),
        confidence=extra.get("confidence", 4),
        version=version,
        now=now,
    )


@pytest.fixture
def team():
    team = make_team()
    team.challenge = tick(team.challenge, on_day(10))
    return team


# --- Periods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "number"),
    [
        (0, None),
        (1, 1),
        (7, 1),
        (8, 2),
        (98, 14),
        (99, 15),
        (100, 15),
        (101, 16),
        (130, 16),
        (131, 17),
        (190, 18),
        (191, None),
    ],
)
def test_it_numbers_periods_from_day_one_weekly_then_monthly(day, number):
    cohort = CohortFactory.build(launch_date=LAUNCH, sustainment_days=90)
    assert periods.period_number(cohort=cohort, cadence=7, day=LAUNCH + timedelta(days=day)) == number


def test_it_cuts_the_last_period_of_each_phase_at_its_end():
    cohort = CohortFactory.build(launch_date=LAUNCH, sustainment_days=45)
    last_weekly = periods.period(cohort=cohort, cadence=7, number=15)
    assert (last_weekly.starts_on, last_weekly.due_on) == (LAUNCH + timedelta(days=99), LAUNCH + timedelta(days=100))
    last_monthly = periods.period(cohort=cohort, cadence=7, number=17)
    assert last_monthly.in_sustainment
    assert (last_monthly.starts_on, last_monthly.due_on) == (LAUNCH + timedelta(days=131), LAUNCH + timedelta(days=145))


def test_it_says_what_is_due_done_or_overdue():
    cohort = CohortFactory.build(launch_date=LAUNCH, sustainment_days=90)
    day = lambda n: LAUNCH + timedelta(days=n)  # noqa: E731
    assert periods.checkin_due(cohort=cohort, cadence=7, today=day(3), latest_period=None).state == "due"
    assert periods.checkin_due(cohort=cohort, cadence=7, today=day(3), latest_period=1).state == "done"
    overdue = periods.checkin_due(cohort=cohort, cadence=7, today=day(9), latest_period=None)
    assert (overdue.state, overdue.period.number, overdue.period.due_on) == ("overdue", 1, day(7))
    assert periods.checkin_due(cohort=cohort, cadence=7, today=day(0), latest_period=None).state == "none"


# --- Posting and the status -----------------------------------------------------------------------


def test_it_posts_a_checkin_and_recomputes_the_challenge(team):
    outcome = post(team, value="37", now=on_day(10))
    assert (outcome.corrected, outcome.merged) == (False, False)
    checkin = outcome.checkin
    assert (checkin.period, checkin.reported_on, checkin.version) == (2, LAUNCH + timedelta(days=10), 1)
    challenge = Challenge.objects.get(pk=team.challenge.pk)
    assert challenge.current_value == Decimal("37")
    assert challenge.last_checkin_on == LAUNCH + timedelta(days=10)
    assert challenge.progress == pytest.approx(0.15)
    assert challenge.expected_progress == pytest.approx(0.10)
    assert challenge.status == Status.ON_TRACK


def test_it_refuses_a_checkin_before_day_one():
    team = make_team()
    with pytest.raises(ValidationError):
        post(team, now=on_day(0))
    assert CheckIn.objects.count() == 0


def test_it_refuses_a_checkin_after_sustainment_ends(team):
    with pytest.raises(ValidationError):
        post(team, now=on_day(191))


# --- One per period, the correction window, revisions ---------------------------------------------


def test_a_second_post_in_the_same_period_edits_it_and_says_so(team):
    post(team, value="37", now=on_day(10))
    outcome = post(team, value="36", done="Second counter open all week", now=on_day(11))
    assert (outcome.corrected, outcome.merged) == (True, True)
    assert CheckIn.objects.filter(challenge=team.challenge).count() == 1
    assert outcome.checkin.value == Decimal("36")
    assert outcome.checkin.version == 2
    assert Challenge.objects.get(pk=team.challenge.pk).current_value == Decimal("36")


def test_a_new_period_gets_a_new_checkin(team):
    post(team, value="37", now=on_day(10))
    post(team, value="35", now=on_day(15))
    assert list(CheckIn.objects.order_by("period").values_list("period", "value")) == [
        (2, Decimal("37")),
        (3, Decimal("35")),
    ]
    assert Challenge.objects.get(pk=team.challenge.pk).current_value == Decimal("35")


def test_every_correction_keeps_a_revision(team):
    with time_machine.travel(on_day(10), tick=False):
        first = post(team, value="37", done="v1").checkin
    with time_machine.travel(on_day(10) + timedelta(hours=2), tick=False):
        post(team, value="36", done="v2", version=1)
        post(team, value="35.5", done="v3", version=2)
    checkin = CheckIn.objects.get(pk=first.pk)
    assert (checkin.version, checkin.value, checkin.done) == (3, Decimal("35.5"), "v3")
    revisions = list(CheckInRevision.objects.filter(checkin=checkin).order_by("version"))
    assert [(r.version, r.value, r.done) for r in revisions] == [(1, Decimal("37"), "v1"), (2, Decimal("36"), "v2")]
    assert all(r.corrected_by == team.lead for r in revisions)


def test_the_author_may_correct_for_24_hours_and_not_after(team):
    with time_machine.travel(on_day(9), tick=False):
        checkin = post(team, value="37").checkin
    with time_machine.travel(on_day(9) + timedelta(hours=23, minutes=59), tick=False):
        post(team, value="36", version=1)
    with time_machine.travel(on_day(9) + timedelta(hours=24, minutes=1), tick=False):
        with pytest.raises(StaleEdit):
            post(team, value="30", version=2)
    checkin.refresh_from_db()
    assert (checkin.value, checkin.version) == (Decimal("36"), 2)
    assert CheckInRevision.objects.count() == 1


def test_only_the_author_may_correct(team):
    with time_machine.travel(on_day(10), tick=False):
        post(team, value="37")
        with pytest.raises(StaleEdit):
            post(team, by=team.coach, value="30")
    assert CheckIn.objects.get().value == Decimal("37")


def test_a_stale_version_is_refused_and_the_first_save_kept(team):
    with time_machine.travel(on_day(10), tick=False), translation.override("en"):
        post(team, value="37")
        # Two tabs opened the form at version 1; the first saves, the second is refused.
        post(team, value="36", done="first tab", version=1)
        with pytest.raises(StaleEdit) as refused:
            post(team, value="30", done="second tab", version=1)
    assert "changed by someone else" in refused.value.messages[0]
    checkin = CheckIn.objects.get()
    assert (checkin.value, checkin.done, checkin.version) == (Decimal("36"), "first tab", 2)
    assert Challenge.objects.get(pk=team.challenge.pk).current_value == Decimal("36")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_two_people_posting_the_same_period_at_once_keep_only_the_first():
    team = make_team()
    team.challenge = tick(team.challenge, on_day(10))
    barrier = threading.Barrier(2)
    outcomes, refusals = [], []

    def submit(person, value):
        try:
            barrier.wait(timeout=10)
            outcomes.append(post(team, by=person, value=value, now=on_day(10)))
        except StaleEdit as error:
            refusals.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=args) for args in [(team.lead, "37"), (team.coach, "30")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert (len(outcomes), len(refusals)) == (1, 1)
    checkin = CheckIn.objects.get()
    assert checkin.value == outcomes[0].checkin.value
    assert checkin.version == 1


# --- Bad input (through the view: message beside the field, nothing saved) ------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "about forty"}, "value", "Enter a number, such as 42 or 12.5."),
        ({"value": ""}, "value", "Enter this period&#x27;s value of the metric."),
        ({"value": "20040.01"}, "value", "far outside the goal"),
        ({"value": "-19981"}, "value", "far outside the goal"),
        ({"done": "   "}, "done", "Say what the team did in this period."),
        ({"confidence": "9"}, "confidence", "Select a valid choice."),
    ],
)
def test_it_rejects_bad_input_beside_the_field(client, team, data, field, message):
    client.force_login(team.lead)
    payload = {"value": "37", "done": "Opened a counter", "next_steps": "", "confidence": "3", **data}
    with time_machine.travel(on_day(10), tick=False):
        response = client.post(reverse("checkin_post", args=[team.challenge.pk]), payload)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert CheckIn.objects.count() == 0


def test_the_absurd_value_limit_is_a_thousand_spans_from_the_goal():
    low, high = goals.plausible_range(baseline=Decimal("40"), target=Decimal("20"))
    assert (low, high) == (Decimal("-19980"), Decimal("20040"))


# --- The view: htmx and without JavaScript ---------------------------------------------------------


def test_without_javascript_it_redirects_back_with_a_message(client, team):
    client.force_login(team.lead)
    url = reverse("checkin_post", args=[team.challenge.pk])
    with time_machine.travel(on_day(10), tick=False):
        response = client.post(url, {"value": "37", "done": "Counter", "confidence": "3"})
        assert response.status_code == 302
        assert response["Location"] == reverse("challenge_detail", args=[team.challenge.pk]) + "#progress"
        page = client.get(response["Location"]).content.decode()
    assert "Check-in posted" in page
    assert CheckIn.objects.get().value == Decimal("37")


def test_with_htmx_it_returns_the_progress_section_with_chart_status_and_due(client, team):
    client.force_login(team.lead)
    url = reverse("checkin_post", args=[team.challenge.pk])
    with time_machine.travel(on_day(10), tick=False):
        before = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
        response = client.post(url, {"value": "37", "done": "Counter", "confidence": "3"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="progress-chart"' in body and 'role="img"' in body
    assert 'class="status status-on_track" id="status-badge"' in body
    assert "This period's check-in is in" in body
    assert "Check-in overdue" in before  # period 1 (due Day 7) was missed before this post
    assert "Check-in posted" in body
    # The actual line now has the baseline and the new point.
    assert body.count("data-day=") == 2


def test_a_second_post_through_the_view_says_it_edited(client, team):
    client.force_login(team.lead)
    url = reverse("checkin_post", args=[team.challenge.pk])
    with time_machine.travel(on_day(10), tick=False):
        client.post(url, {"value": "37", "done": "Counter", "confidence": "3"})
        response = client.post(url, {"value": "36", "done": "Counter", "confidence": "3"}, headers=HTMX)
    assert "saved as a correction" in response.content.decode()
    assert CheckIn.objects.get().value == Decimal("36")


def test_a_refused_concurrent_edit_shows_the_saved_version(client, team):
    client.force_login(team.lead)
    url = reverse("checkin_post", args=[team.challenge.pk])
    with time_machine.travel(on_day(10), tick=False):
        client.post(url, {"value": "37", "done": "Counter", "confidence": "3"})
        client.post(url, {"value": "36", "done": "Tab one", "confidence": "3", "version": "1"})
        response = client.post(
            url, {"value": "30", "done": "Tab two", "confidence": "3", "version": "1"}, headers={"HX-Request": "true"}
        )
    body = response.content.decode()
    assert 'role="alert"' in body and "changed by someone else" in body
    assert "Tab one" in body
    assert CheckIn.objects.get().done == "Tab one"


# --- Who may post ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("lead", 302),
        ("coach", 302),
        ("member", 403),
        ("sponsor", 403),
        ("official", 403),
        ("outsider", 404),
        ("other_lead", 404),
        ("superuser", 302),
    ],
)
def test_only_the_team_lead_and_coach_post(client, team, who, expected):
    people = {
        "lead": team.lead,
        "coach": team.coach,
        "member": team.member,
        "sponsor": team.sponsor,
        "official": GrantFactory(accelerator=team.accelerator).user,
        "outsider": UserFactory(),
        "other_lead": MembershipFactory(role="team_lead").user,
        "superuser": UserFactory(is_superuser=True),
    }
    client.force_login(people[who])
    with time_machine.travel(on_day(10), tick=False):
        response = client.post(
            reverse("checkin_post", args=[team.challenge.pk]), {"value": "37", "done": "x", "confidence": "3"}
        )
    assert response.status_code == expected
    assert CheckIn.objects.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(("who", "sees_form"), [("lead", True), ("coach", True), ("member", False), ("sponsor", False)])
def test_readers_see_no_forms(client, team, who, sees_form):
    client.force_login(getattr(team, who))
    with time_machine.travel(on_day(10), tick=False):
        body = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
    assert ('id="checkin-form"' in body) is sees_form
    assert ("Raise a blocker" in body) is sees_form
    assert '<form method="post" action="/challenges/' not in body or sees_form


def test_the_form_offers_a_correction_to_its_author_only(client, team):
    with time_machine.travel(on_day(10), tick=False):
        post(team, value="37", done="Counter opened")
        client.force_login(team.lead)
        lead_page = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
        client.force_login(team.coach)
        coach_page = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
    assert "Correct this period's check-in" in lead_page and 'name="version" value="1"' in lead_page
    assert 'id="checkin-form"' not in coach_page


def test_the_challenge_page_runs_a_constant_number_of_queries(client, team):
    client.force_login(team.lead)

    def count_queries():
        with time_machine.travel(on_day(90), tick=False), CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("challenge_detail", args=[team.challenge.pk])).status_code == 200
        return len(ctx.captured_queries)

    post(team, value="37", now=on_day(10))
    few = count_queries()
    for day in range(15, 90, 7):
        post(team, value="35", now=on_day(day))
        post(team, value="34", now=on_day(day) + timedelta(hours=1))  # a correction: one more revision
    assert CheckIn.objects.count() == 12
    assert count_queries() == few


def test_history_shows_revisions(client, team):
    with time_machine.travel(on_day(10), tick=False):
        post(team, value="37", done="First words")
        post(team, value="36", done="Better words", version=1)
        client.force_login(team.member)
        body = client.get(reverse("challenge_detail", args=[team.challenge.pk])).content.decode()
    assert "corrected once" in body
    assert "Earlier versions" in body and "First words" in body and "Better words" in body


def test_sustainment_checkins_are_monthly_and_show_sustained_or_slipping():
    team = make_team()
    team.challenge = tick(team.challenge, on_day(120))
    outcome = post(team, value="19", now=on_day(120))
    assert outcome.checkin.period == 16
    assert Challenge.objects.get(pk=team.challenge.pk).status == Status.SUSTAINED
    post(team, value="25", now=on_day(125))  # same monthly period: a correction
    assert CheckIn.objects.count() == 1
    assert Challenge.objects.get(pk=team.challenge.pk).status == Status.SLIPPING
    assert date(2026, 3, 1) == LAUNCH


# --- The admin ------------------------------------------------------------------------------------


def test_a_checkin_edited_or_deleted_in_the_admin_moves_its_challenge(client, team):
    """The program team may fix a typo in the admin: the challenge's value and status follow, as
    after the team lead's own correction."""
    with time_machine.travel(on_day(10), tick=False):
        post(team, value="37")
        checkin = CheckIn.objects.get(challenge=team.challenge)
        superuser = UserFactory(is_staff=True, is_superuser=True)
        client.force_login(superuser)
        url = reverse("admin:challenges_checkin_change", args=[checkin.pk])
        form = client.get(url).context["adminform"].form
        data = {name: form[name].value() for name in form.fields}
        data |= {"value": "20", "next_steps": data["next_steps"] or ""}
        response = client.post(url, {k: v for k, v in data.items() if v is not None})
        assert response.status_code == 302, response.content.decode()[:2000]
        team.challenge.refresh_from_db()
        assert team.challenge.current_value == Decimal("20")
        assert team.challenge.status == Status.ACHIEVED

        response = client.post(reverse("admin:challenges_checkin_delete", args=[checkin.pk]), {"post": "yes"})
        assert response.status_code == 302
        team.challenge.refresh_from_db()
        assert team.challenge.current_value is None
        assert team.challenge.last_checkin_on is None
