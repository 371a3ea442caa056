"""People written as text: the forms a person types, and how they are matched or invited."""

import pytest

from members.people import (
    BAD_NAME,
    INVALID_EMAIL,
    NAME_AMBIGUOUS,
    NAME_NOT_FOUND,
    NEEDS_NAME,
    PeopleLookup,
    Written,
    parse_people,
    written_form,
)
from tests.factories import AcceleratorFactory, EntityFactory, UserFactory


def pairs(text):
    return [(w.email, w.name) for w in parse_people(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nodira Karimova <Nodira@Soliq.uz>", [("nodira@soliq.uz", "Nodira Karimova")]),
        ('"Karimova, Nodira" <nodira@soliq.uz>', [("nodira@soliq.uz", "Karimova, Nodira")]),
        ("nodira@soliq.uz Nodira Karimova", [("nodira@soliq.uz", "Nodira Karimova")]),
        ("nodira@soliq.uz (Nodira Karimova)", [("nodira@soliq.uz", "Nodira Karimova")]),
        ("a@x.org, b@x.org", [("a@x.org", ""), ("b@x.org", "")]),
        (
            "سارة أحمد <sara@x.org>؛ Ахмед Каримов <ahmed@x.org>",
            [("sara@x.org", "سارة أحمد"), ("ahmed@x.org", "Ахмед Каримов")],
        ),
        ("A <a@x.org>; \n b@x.org | Dilnoza Karimova", [("a@x.org", "A"), ("b@x.org", ""), ("", "Dilnoza Karimova")]),
        ("  ;  ", []),
    ],
)
def test_it_reads_people_as_they_are_typed(text, expected):
    assert pairs(text) == expected


def test_a_person_is_written_back_the_way_it_is_read():
    assert pairs(written_form("Nodira Karimova", "nodira@soliq.uz")) == [("nodira@soliq.uz", "Nodira Karimova")]
    assert written_form("", "a@x.org") == "a@x.org"


@pytest.mark.django_db
def test_it_matches_known_people_and_says_why_the_others_cannot_be_taken():
    accelerator = AcceleratorFactory()
    entity = EntityFactory(accelerator=accelerator)
    known = UserFactory(email="dilnoza@soliq.uz", full_name="Dilnoza Karimova", entity=entity)
    UserFactory(email="a1@soliq.uz", full_name="Aziz Rahimov", entity=entity)
    UserFactory(email="a2@soliq.uz", full_name="Aziz Rahimov", entity=entity)
    elsewhere = UserFactory(email="other@gov.example", full_name="Someone Else")  # not this accelerator's
    text = (
        "DILNOZA@soliq.uz; dilnoza karimova; Aziz Rahimov; Nobody Here; new@soliq.uz; other@gov.example;"
        " New Person <new@soliq.uz>; Bad <bad@@x>; " + "x" * 201 + " <long@soliq.uz>"
    )
    written = parse_people(text)
    lookup = PeopleLookup(accelerator=accelerator, written=written)
    outcomes = [lookup.resolve(w) for w in written]
    assert [o.user_id for o in outcomes[:2]] == [known.pk, known.pk]
    assert [o.problem for o in outcomes[2:6]] == [NAME_AMBIGUOUS, NAME_NOT_FOUND, NEEDS_NAME, NEEDS_NAME]
    assert outcomes[5].user_id is None, f"{elsewhere} is invited like anyone new, not revealed"
    assert (outcomes[6].invite_email, outcomes[6].invite_name) == ("new@soliq.uz", "New Person")
    assert [o.problem for o in outcomes[7:]] == [INVALID_EMAIL, BAD_NAME]
    assert lookup.resolve(Written("", "", "Nobody")).problem == NAME_NOT_FOUND
