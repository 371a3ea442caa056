"""The script folding search compares (core/text.py), tested directly, and the stored key kept up
to date on save and bulk insert (core/models.py)."""

import pytest

from core.text import search_fold, search_key, search_words


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Нодира", "Nodira"),
        ("солиқ", "soliq"),
        ("Ўзбекистон", "O'zbekiston"),  # ў = o'
        ("Ўзбекистон", "Oʻzbekiston"),  # ʻ, the official apostrophe
        ("ғалаба", "g'alaba"),  # ғ = g'
        ("Шаҳноза", "Shahnoza"),  # ш = sh, ҳ = h
        ("Чорвоқ", "Chorvoq"),  # ч = ch
        ("Тонг", "Tong"),  # нг = ng
        ("Цех", "Tsex"),  # ц = ts
        ("Ёқуб", "Yoqub"),  # ё = yo (Uzbek)
        ("маъно", "ma'no"),  # ъ = the tutuq belgisi
        ("Ильин", "Ilin"),  # ь dropped
        ("Хожаев", "Xo'jayev"),  # х = x
        ("Ходжаев", "Khodzhaev"),  # Russian transliteration: kh, dzh
        ("Евгений", "Yevgeniy"),  # ye, iy
        ("Дмитрий", "Dmitry"),
        ("Щукин", "Shchukin"),
        ("Жасур", "Jasur"),
        ("Журавлёв", "Zhuravlyov"),
    ],
)
def test_cyrillic_and_latin_fold_to_the_same_spelling(cyrillic, latin):
    assert search_fold(cyrillic) == search_fold(latin)
    assert search_fold(cyrillic.upper()) == search_fold(latin.lower())


def test_apostrophe_variants_and_case_are_one():
    assert {search_fold(v) for v in ["O'ZBEK", "oʻzbek", "o‘zbek", "o’zbek", "o`zbek", "ozbek"]} == {"ozbek"}


def test_arabic_hamza_diacritics_and_tatweel_fold():
    assert search_fold("مُؤَشِّر") == search_fold("مؤشر")
    assert search_fold("الإقامة") == search_fold("الاقامه") == search_fold("آلاقامة".replace("آ", "ا"))
    assert search_fold("مستشفـــى") == search_fold("مستشفي")


def test_the_stored_key_also_holds_yo_written_as_e():
    assert search_key("Ёлка") == "yolka elka"
    assert search_words("елка")[0] in search_key("Ёлка") and search_words("yolka")[0] in search_key("Ёлка")
    assert search_key("Nodira") == "nodira"  # one spelling when there is no other


def test_spaces_collapse_and_words_split():
    assert search_words("  Нодира   Каримова ") == ["nodira", "karimova"]
    assert search_words("") == search_words(None) == []


@pytest.mark.django_db
def test_the_key_is_kept_on_save_update_fields_and_bulk_create():
    from challenges.models import Challenge
    from cohorts.models import User
    from tests.factories import ChallengeFactory, UserFactory

    challenge = ChallengeFactory(title="Солиқ тўловлари")
    assert Challenge.objects.get(pk=challenge.pk).search_key == "soliq tolovlari"
    challenge.title = "Нодира"
    challenge.save(update_fields=["title"])
    assert Challenge.objects.get(pk=challenge.pk).search_key == "nodira"
    person = UserFactory(full_name="Нодира Каримова", job_title="Бош мутахассис")
    assert "nodira karimova" in User.objects.get(pk=person.pk).search_key
    made = User.objects.bulk_create([User(email="a@example.org", full_name="Шаҳноза")])
    assert User.objects.get(pk=made[0].pk).search_key.startswith("shahnoza")
