"""One-line text: titles and names go into e-mail subjects, file names and table cells.

A line break in an e-mail subject makes Django refuse the whole message (``BadHeaderError``),
and a bidi control such as U+202E (right-to-left override) makes a name read backwards in
every place it is shown, a classic way to disguise one thing as another. Arabic and Hebrew
text needs neither: the Unicode bidi algorithm lays it out by itself, and the plain marks
(U+200E, U+200F, U+061C) stay allowed. Forms refuse these characters in titles and names;
``one_line`` neutralises them wherever a value already stored goes into a header.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Line and paragraph separators (the ones str.splitlines() honours) and the bidi embeddings,
# overrides and isolates.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BREAKS = re.compile(f"[{re.escape(LINE_BREAKS)}]+")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_FORBIDDEN = re.compile(f"[{re.escape(LINE_BREAKS)}{BIDI_CONTROLS}]")


def one_line(text: str) -> str:
    """``text`` with line breaks turned into one space and bidi controls removed."""
    return _BIDI.sub("", _BREAKS.sub(" ", text)).strip()


def is_one_line(text: str) -> bool:
    return not _FORBIDDEN.search(text)


def validate_one_line(value) -> None:
    """Refuse a title or name holding a line break or a bidi control (see the module's docstring)."""
    if isinstance(value, str) and not is_one_line(value):
        raise ValidationError(
            _("Line breaks and text-direction control characters are not allowed here."), code="one_line"
        )


def require_one_line(form, *field_names: str) -> None:
    """Add ``validate_one_line`` to the named fields of a form instance (those it has)."""
    for name in field_names:
        if name in form.fields:
            form.fields[name].validators.append(validate_one_line)


# --- Search keys: one spelling for every script a name or title arrives in ---------------------
#
# Uzbek is written officially in Latin script, but Cyrillic is still common, and Russian names come
# in Cyrillic and in several Latin transliterations; Arabic is typed with and without hamza and
# diacritics. ``search_key`` folds a text into one lower-case Latin-based spelling, so "Нодира"
# and "Nodira", "солиқ" and "soliq", "Ўзбекистон" and "O'zbekiston", "Хожаев", "Xo'jayev" and
# "Khodzhaev" each end up the same. Titles and names store their key in a column (computed here,
# on save and by a data migration) and a search folds its words the same way and looks them up
# with LIKE: the same plain SQL on SQLite and PostgreSQL, one scan, no function per row.
#
# The rules, in order:
# 1. Unicode NFC and casefold; every apostrophe-like mark (the Uzbek oʻ, gʻ and the tutuq
#    belgisi ʼ, typed as ʻ ʼ ‘ ’ ` ´ ') and the Cyrillic hard and soft signs ъ ь are dropped,
#    so o' = oʻ = o and g' = g (people often leave them out).
# 2. Cyrillic letters to Uzbek Latin (ш sh, ч ch, ц ts, щ sh, ж j, х x, ҳ h, қ q, ғ g, ў o,
#    ё yo, ю yu, я ya, й y, ы y, э e).
# 3. The Russian Latin transliterations that differ, to the same: kh → x, dzh / zh / dj → j,
#    shch → sh, ye → e (Yevgeniy, Yer), iy → y (Dmitriy = Dmitry), and ё's e-spelling stays e.
# 4. Arabic: alef with hamza or madda and alef wasla → ا, ى → ي, ة → ه, tatweel dropped.
# 5. Diacritics (combining marks, the Arabic harakat among them) dropped; spaces collapsed.

APOSTROPHES = "ʻʼ‘’`´'ʹ′"
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "о": "o",
    "ў": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ҳ": "h",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ы": "y", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "e", "ґ": "g", "ң": "ng", "ә": "a", "ө": "o", "ү": "u", "ұ": "u",
}  # fmt: skip
_ARABIC = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": ""}
_DROP = dict.fromkeys(APOSTROPHES + "ъь", "")
_LETTERS = str.maketrans({**_DROP, **_CYRILLIC, **_ARABIC})
# Longest first: "dzh" before "zh", "shch" before "sh".
_LATIN_VARIANTS = [("shch", "sh"), ("dzh", "j"), ("kh", "x"), ("zh", "j"), ("dj", "j"), ("ye", "e"), ("iy", "y")]
_SPACES = re.compile(r"\s+")


def search_fold(text: str | None) -> str:
    """One text in the script-folded spelling search compares (the rules above)."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = text.translate(_LETTERS)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    for variant, canonical in _LATIN_VARIANTS:
        text = text.replace(variant, canonical)
    return _SPACES.sub(" ", text).strip()


# Spellings a row is also found by: Russian writers type ё as е ("елка" for "ёлка"), while Uzbek
# Latin writes it yo ("Yoqub" for "Ёқуб"); the key holds both, the search words stay one spelling.
_ALSO = str.maketrans({"ё": "е", "Ё": "Е"})


def search_key(*texts: str | None) -> str:
    """What a row stores to be searched by: ``texts`` folded, and their other accepted spellings."""
    text = " ".join(t for t in texts if t)
    spellings = dict.fromkeys([search_fold(text), search_fold(text.translate(_ALSO))])
    return " ".join(spellings)


def search_words(query: str | None) -> list[str]:
    """The folded words of a search: each must occur in a row's key (LIKE '%word%')."""
    return search_fold(query).split()
