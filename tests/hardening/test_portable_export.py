"""export_accelerator → an empty database → import_accelerator → export again: byte-identical."""

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from challenges import clock
from challenges.models import Blocker, Challenge, CheckIn, Notification, PhaseTransition, Station
from cohorts.models import User
from members.models import AcceleratorRole, Membership
from tests.access_world import build_world
from tests.factories import CheckInFactory, EntityFactory, UserFactory

HOSTILE = '<script>alert(1)</script> ☃ تحدي الـ100 يوم "quoted"'


def build_rich_world():
    world = build_world()
    lead = world.people["team_lead"]
    world.challenge.partner_entities.add(EntityFactory(accelerator=world.accelerator, name="Partner " + HOSTILE))
    world.challenge.goal_statement = HOSTILE
    world.challenge._history_user = world.people["admin"]
    world.challenge.save()
    for period in (1, 2):
        CheckInFactory(challenge=world.challenge, author=lead, period=period, value=Decimal("33.5"), done=HOSTILE)
    Blocker.objects.create(challenge=world.challenge, raised_by=lead, description="Budget " + HOSTILE)
    Notification.objects.create(user=lead, challenge=world.challenge, message="Check in " + HOSTILE)
    # A person whose entity belongs to another accelerator: that reference is cut, not exported.
    world.people["coach"].entity = EntityFactory(accelerator=world.other_accelerator)
    world.people["coach"].save()
    clock.clock_tick(now=datetime.combine(date(2026, 3, 1) + timedelta(days=30), time(6), tzinfo=UTC))
    return world


def export(slug: str) -> str:
    out = StringIO()
    call_command("export_accelerator", slug, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_it_round_trips_exactly_through_an_empty_database(tmp_path):
    world = build_rich_world()
    first = export("world-a")
    counts = {
        model: model.objects.filter(**{lookup: world.accelerator}).count()
        for model, lookup in [
            (Challenge, "cohort__accelerator"),
            (CheckIn, "challenge__cohort__accelerator"),
            (Station, "challenge__cohort__accelerator"),
            (PhaseTransition, "challenge__cohort__accelerator"),
            (Membership, "challenge__cohort__accelerator"),
            (AcceleratorRole, "accelerator"),
        ]
    }
    assert counts[Station] and counts[PhaseTransition] and counts[CheckIn] == 2
    path = tmp_path / "world-a.json"
    path.write_text(first, encoding="utf-8")

    call_command("flush", interactive=False, verbosity=0)
    assert not User.objects.exists()
    call_command("import_accelerator", str(path), stdout=StringIO())

    second = export("world-a")
    assert second == first
    for model, count in counts.items():
        assert model.objects.count() == count, model
    # Accounts keep working, and new rows get ids after the kept ones (sequences moved past them).
    assert User.objects.get(pk=world.people["team_lead"].pk).check_password("a-long-test-password")
    newest_person = max(User.objects.values_list("pk", flat=True))
    assert UserFactory().pk > newest_person
    newest_checkin = max(CheckIn.objects.values_list("pk", flat=True))
    assert CheckInFactory(challenge=Challenge.objects.get(pk=world.challenge.pk), period=9).pk > newest_checkin


@pytest.mark.django_db
def test_it_exports_one_accelerator_only_with_its_people_history_and_deterministic_order():
    world = build_rich_world()
    data = export("world-a")
    assert data == export("world-a")
    records = json.loads(data)
    labels = {r["model"] for r in records}
    assert {
        "cohorts.accelerator",
        "cohorts.entity",
        "challenges.stationtemplate",
        "cohorts.cohort",
        "challenges.challenge",
        "members.membership",
        "members.acceleratorrole",
        "challenges.phasetransition",
        "challenges.station",
        "challenges.checkin",
        "challenges.blocker",
        "challenges.notification",
        "cohorts.user",
        "challenges.historicalchallenge",
        "challenges.historicalcheckin",
    } <= labels
    accelerators = [r for r in records if r["model"] == "cohorts.accelerator"]
    assert [a["fields"]["slug"] for a in accelerators] == ["world-a"]
    emails = {r["fields"]["email"] for r in records if r["model"] == "cohorts.user"}
    assert world.people["admin"].email in emails and world.people["team_lead"].email in emails
    assert world.people["admin_other"].email not in emails
    assert world.people["official_out_of_scope"].email not in emails
    assert all(r["fields"]["password"] for r in records if r["model"] == "cohorts.user")
    coach = next(r for r in records if r["model"] == "cohorts.user" and r["pk"] == world.people["coach"].pk)
    assert coach["fields"]["entity"] is None  # pointed at the other accelerator
    assert json.dumps(HOSTILE, ensure_ascii=False)[1:-1] in data  # text travels as it was typed


@pytest.mark.django_db
def test_it_refuses_to_import_over_existing_data(tmp_path):
    build_rich_world()
    path = tmp_path / "a.json"
    path.write_text(export("world-a"), encoding="utf-8")
    before = CheckIn.objects.count()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_accelerator", str(path), stdout=StringIO())
    assert CheckIn.objects.count() == before


@pytest.mark.django_db
def test_it_refuses_a_malformed_file_and_an_unknown_slug(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"model": "cohorts.accelerator", "pk": 1, "fields": {"name": ', encoding="utf-8")
    with pytest.raises(CommandError, match="not a valid export"):
        call_command("import_accelerator", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="no accelerator"):
        call_command("export_accelerator", "nowhere", stdout=StringIO())


@pytest.mark.django_db
def test_times_keep_their_microseconds_through_the_export():
    """A time 412 µs past a whole second must not come back as the whole second."""
    import json
    from datetime import UTC, datetime

    from audit.portable import ExactJSONEncoder

    moment = datetime(2026, 12, 1, 7, 45, 25, 412, tzinfo=UTC)
    text = json.dumps(moment, cls=ExactJSONEncoder)
    assert text == '"2026-12-01T07:45:25.000412Z"'
    from django.utils.dateparse import parse_datetime

    assert parse_datetime(json.loads(text)) == moment
