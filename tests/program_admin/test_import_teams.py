"""The challenge-list file's team columns: anyone named by full name and address, matched or invited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Invitation, Membership
from program_admin import importing
from tests.factories import UserFactory
from tests.program_admin.journey import HEADER, build_journey, csv_bytes, good_rows, upload_and_confirm, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    return build_journey()


@pytest.fixture
def admin_client(client, journey):
    client.force_login(journey.admin)
    return client


def with_team(rows, row: int, **cells) -> list[list[str]]:
    for key, value in cells.items():
        rows[row][HEADER.index(key)] = value
    return rows


def seats_of(challenge) -> set[tuple[str, str]]:
    return {(seat.user.email, seat.role) for seat in challenge.memberships.select_related("user")}


def test_it_matches_known_people_and_invites_the_rest_when_the_list_is_confirmed(admin_client, journey):
    rows = with_team(
        good_rows(),
        1,
        team_lead="Nodira Karimova <Nodira@Soliq.UZ>",
        coach="Aziz Rahimov <COACH@example.org>",  # known: matched by address whatever its case
        sponsor="sponsor@example.org",
        members='"Karimov, Jasur" <jasur@soliq.uz>; member1@example.org; Mariam Al Hashimi',
    )
    upload = admin_client.post(
        reverse("manage_import", args=[journey.cohort.pk]),
        {"file": SimpleUploadedFile("t.csv", csv_bytes(rows))},
    )
    assert upload.status_code == 302
    assert Invitation.objects.count() == 0, "nobody is invited before the list is confirmed"
    response = upload_and_confirm(admin_client, journey.cohort, csv_bytes(rows))
    assert response.status_code == 302
    visa = journey.cohort.challenges.get(title="تقليص زمن إصدار تأشيرة الإقامة")
    assert seats_of(visa) == {
        ("nodira@soliq.uz", Membership.Role.TEAM_LEAD),
        ("coach@example.org", Membership.Role.COACH),
        ("sponsor@example.org", Membership.Role.SPONSOR),
        ("jasur@soliq.uz", Membership.Role.MEMBER),
        ("member1@example.org", Membership.Role.MEMBER),
        ("member2@example.org", Membership.Role.MEMBER),  # named by full name alone, as the platform has it
    }
    invited = {i.user.email: i for i in Invitation.objects.select_related("user")}
    assert set(invited) == {"nodira@soliq.uz", "jasur@soliq.uz"}
    assert invited["nodira@soliq.uz"].full_name == "Nodira Karimova"
    assert invited["jasur@soliq.uz"].user.full_name == "Karimov, Jasur"
    assert invited["nodira@soliq.uz"].invited_by == journey.admin and invited["nodira@soliq.uz"].sent_at is None
    assert not invited["nodira@soliq.uz"].user.has_usable_password()
    # The typed name, not only the address, on the manage pages (and said to be invited).
    page = admin_client.get(reverse("manage_cohort", args=[journey.cohort.pk])).content.decode()
    assert "<bdi>Nodira Karimova</bdi>" in page and "nodira@soliq.uz" in page


def test_a_bad_address_anywhere_saves_nothing_and_invites_nobody(admin_client, journey):
    rows = with_team(good_rows(), 1, team_lead="Nodira Karimova <nodira@soliq.uz>")
    rows = with_team(rows, 2, members="Jasur <jasur@@soliq>; Bobur Aliyev <bobur@soliq.uz>", coach="Ann <>")
    response = upload_and_confirm(admin_client, journey.cohort, csv_bytes(rows))
    assert response.status_code == 422
    problems = [(p.row, p.column, p.code) for p in response.context["problems"]]
    assert (3, "members", "invalid_email") in problems
    assert (3, "coach", "name_not_found") in problems
    assert journey.cohort.challenges.count() == 0
    assert Invitation.objects.count() == 0 and not type(journey.admin).objects.filter(email="nodira@soliq.uz").exists()
    page = response.content.decode()
    assert "“jasur@@soliq” is not an e-mail address." in page


def test_an_account_of_another_government_is_invited_not_revealed(admin_client, journey):
    stranger = UserFactory(email="stranger@gov.example", full_name="Real Name Elsewhere")
    rows = with_team(good_rows(), 1, team_lead="stranger@gov.example")
    response = upload_and_confirm(admin_client, journey.cohort, csv_bytes(rows))
    assert [p.code for p in response.context["problems"]] == ["needs_name"], "the same as for an unknown address"
    rows = with_team(good_rows(), 1, team_lead="Typed Name <stranger@gov.example>")
    assert upload_and_confirm(admin_client, journey.cohort, csv_bytes(rows)).status_code == 302
    invitation = Invitation.objects.get(user=stranger)
    assert invitation.full_name == "Typed Name"
    stranger.refresh_from_db()
    assert stranger.full_name == "Real Name Elsewhere", "an existing account's name is never overwritten"
    page = admin_client.get(reverse("manage_cohort", args=[journey.cohort.pk])).content.decode()
    assert "Typed Name" in page and "Real Name Elsewhere" not in page


def test_files_with_the_old_column_names_still_import(journey):
    header = [
        {"team_lead": "Team lead e-mail", "coach": "coach_email", "members": "member_emails"}.get(key, key)
        for key in HEADER
    ]
    table = importing.read_table(csv_bytes([header, *good_rows()[1:]]))
    rows = importing.check_rows(cohort=journey.cohort, table=table)
    assert {role for row in rows for _user, role in row.seats} == {"team_lead", "coach", "sponsor", "member"}


def test_a_person_named_twice_is_invited_once_with_the_first_name(admin_client, journey):
    rows = with_team(good_rows(), 1, team_lead="Nodira Karimova <nodira@soliq.uz>")
    rows = with_team(rows, 2, team_lead="N. Karimova <NODIRA@soliq.uz>", members="nodira@soliq.uz")
    response = upload_and_confirm(admin_client, journey.cohort, xlsx_bytes(rows), name="teams.xlsx")
    assert response.status_code == 302
    assert Invitation.objects.get().full_name == "Nodira Karimova"
    assert Membership.objects.filter(user__email="nodira@soliq.uz").count() == 3


def test_the_template_and_the_upload_page_show_the_team_columns(admin_client, journey):
    from openpyxl import load_workbook

    from tests.program_admin.test_import import io_bytes

    data = admin_client.get(reverse("manage_import_template_csv", args=[journey.accelerator.slug])).content
    header, example = importing.read_table(data).header, importing.read_table(data).rows[0][1]
    assert header[HEADER.index("team_lead")] == "team_lead"
    assert example[HEADER.index("team_lead")] == "Nodira Karimova <nodira@example.org>"
    assert "; " in example[HEADER.index("members")]
    response = admin_client.get(reverse("manage_import_template_xlsx", args=[journey.accelerator.slug]))
    help_rows = list(load_workbook(io_bytes(response.content)).worksheets[1].iter_rows(values_only=True))
    assert any(row[0] == "team_lead" and "Nodira Karimova <nodira@soliq.uz>" in row[3] for row in help_rows)
    admin_client.cookies["django_language"] = "ar"
    page = admin_client.get(reverse("manage_import", args=[journey.cohort.pk])).content.decode()
    assert 'data-testid="team-columns"' in page and "Nodira Karimova &lt;nodira@soliq.uz&gt;" in page


def test_checking_a_big_file_asks_a_few_queries_for_its_people(journey, django_assert_max_num_queries):
    rows = [HEADER]
    for n in range(300):
        row = list(good_rows()[2])
        row[HEADER.index("title")] = f"Challenge {n}"
        row[HEADER.index("team_lead")] = f"Person {n} <p{n}@soliq.uz>"
        row[HEADER.index("members")] = "member1@example.org; Mariam Al Hashimi"
        rows.append(row)
    table = importing.read_table(csv_bytes(rows))
    with django_assert_max_num_queries(12):
        checked = importing.check_rows(cohort=journey.cohort, table=table)
    assert len(checked) == 300 and all(len(row.invites) == 1 for row in checked)
    with django_assert_max_num_queries(40):
        importing.save_rows(cohort=journey.cohort, rows=checked, by=journey.admin)
    assert Invitation.objects.count() == 300
