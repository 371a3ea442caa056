"""The ar, uz and ru catalogues are complete, not fuzzy, and up to date with the source.

"Up to date" is checked by extracting the source's messages exactly as ``makemessages`` does
(Django's own command, GNU xgettext underneath), but into a temporary directory, so the test
never rewrites the committed ``.po`` files. After adding or changing a string, run::

    .venv/bin/python manage.py makemessages -l ar -l uz -l ru \
        --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests

then translate the new entries (DOMAIN.md has the glossary) and remove any ``#, fuzzy`` flag.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import makemessages

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("ar", "uz", "ru")
IGNORED = [".venv", "node_modules", "var", "tests", "static", "test-artifacts", "docs"]

# The plural rule each catalogue must declare (the number of forms its translations must fill).
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;",
    "uz": "nplurals=2; plural=(n != 1);",
    "ru": ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"),
}

# The number a plural form is chosen by: a form may spell it out ("one challenge", Arabic's two).
COUNTS = {"%(counter)s", "%(count)s", "%d"}
PLACEHOLDER = re.compile(r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[sdfi]|%[sdfi]|\{[a-z_]*\}")


def catalogue(language: str) -> polib.POFile:
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run makemessages (see this module's docstring)"
    return polib.pofile(str(path))


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    context = f" [{entry.msgctxt}]" if entry.msgctxt else ""
    return f"{entry.msgid!r}{context} ({where or 'no location'})"


class ExtractOnly(makemessages.Command):
    """makemessages that writes the source's messages into ``pot_dir`` and nowhere else."""

    def __init__(self, pot_dir: str):
        super().__init__()
        self.pot_dir = pot_dir

    def find_files(self, root):
        files = super().find_files(root)
        for translatable in files:
            translatable.locale_dir = self.pot_dir
        self.locale_paths = [self.pot_dir]
        self.default_locale_path = self.pot_dir
        return files

    def write_po_file(self, potfile, locale):
        """Keep only the .pot: the committed catalogues are compared with it, not rewritten."""


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> set[tuple[str, str, str]]:
    if not shutil.which("xgettext"):
        message = "GNU gettext (xgettext) is not installed: apt-get install gettext"
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    pot_dir = tmp_path_factory.mktemp("pot")
    cwd = os.getcwd()
    os.chdir(settings.BASE_DIR)
    try:
        call_command(
            ExtractOnly(str(pot_dir)), locale=["ar"], ignore_patterns=list(IGNORED), keep_pot=True, verbosity=0
        )
    finally:
        os.chdir(cwd)
    pot = polib.pofile(str(pot_dir / "django.pot"))
    return {key(entry) for entry in pot if not entry.obsolete}


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_translates_every_entry(language):
    po = catalogue(language)
    untranslated = [describe(e) for e in po if not e.obsolete and not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [describe(e) for e in po if not e.obsolete and "fuzzy" in e.flags]
    assert untranslated == [], f"{language}: {len(untranslated)} untranslated entries"
    assert fuzzy == [], f"{language}: {len(fuzzy)} fuzzy entries (check them, then remove the flag)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_declares_the_languages_plural_rule_and_fills_every_form(language):
    po = catalogue(language)
    assert po.metadata.get("Plural-Forms", "").strip() == PLURAL_FORMS[language]
    assert po.metadata.get("Language") == language
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    forms = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[language]).group(1))
    short = [
        describe(e)
        for e in po
        if e.msgid_plural and not e.obsolete and sorted(int(i) for i in e.msgstr_plural) != list(range(forms))
    ]
    assert short == [], f"{language}: plural entries without all {forms} forms"


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_keeps_every_placeholder(language):
    po = catalogue(language)
    broken = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            singular, plural = set(PLACEHOLDER.findall(entry.msgid)), set(PLACEHOLDER.findall(entry.msgid_plural))
            # A form may drop the count (Arabic spells out one and two) or a name only one English
            # form uses, but must keep what both forms say, and may add nothing the code does not pass.
            required = (singular & plural) - COUNTS
            for form, text in entry.msgstr_plural.items():
                got = set(PLACEHOLDER.findall(text))
                if not got <= singular | plural or not required <= got:
                    broken.append(f"{describe(entry)} form {form}: {sorted(got)} vs {sorted(singular | plural)}")
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr)):
            broken.append(f"{describe(entry)}: {entry.msgstr!r}")
    assert broken == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_is_up_to_date_with_the_source(language, source_messages):
    po = catalogue(language)
    committed = {key(e): e for e in po if not e.obsolete}
    missing = sorted(source_messages - set(committed))
    stale = sorted(describe(committed[k]) for k in set(committed) - source_messages)
    assert missing == [], f"{language}: {len(missing)} source strings are not in the catalogue: run makemessages"
    assert stale == [], f"{language}: entries no longer in the source: run makemessages (they become obsolete)"
