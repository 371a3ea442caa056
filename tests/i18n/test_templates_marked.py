"""Every word a template shows is marked for translation.

Each template under templates/ is reduced to what a reader would see *without* translation:
template tags, variables, comments, ``{% translate %}`` and ``{% blocktranslate %}`` blocks are
blanked out; what remains is parsed as HTML. Any letter left in text (outside <script> and
<style>) or in a reader-facing attribute (aria-label, title, placeholder, alt, the value of a
button) is a string someone forgot to mark.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import DebugLexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

READER_ATTRIBUTES = {
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "aria-placeholder",
    "title",
    "placeholder",
    "alt",
    "label",
}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "svg"}
# Text that is the same in every language (keep this short, and say why).
ALLOWED = {
    "AEGOV",  # the design system's product name
}
TRANSLATE_TAGS = {"translate", "trans"}
BLOCK_TRANSLATE = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
LETTER = re.compile(r"[^\W\d_]")


def blank(text: str) -> str:
    """A space for the removed span, keeping its line breaks so positions still match."""
    return " " + "\n" * text.count("\n")


def skeleton(source: str) -> str:
    """The template with every template construct and every translated span blanked out."""
    out: list[str] = []
    closing: str | None = None  # inside {% blocktranslate %} or {% comment %} until this tag
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        raw = source[start:end]
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            out.append(blank(raw))
            continue
        if token.token_type == TokenType.TEXT:
            out.append(raw)
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if name in BLOCK_TRANSLATE:
                closing = BLOCK_TRANSLATE[name]
            elif name == "comment":
                closing = "endcomment"
            elif name == "verbatim":
                closing = "endverbatim"
        out.append(blank(raw))
    return "".join(out)


def leftover(text: str) -> str:
    words = " ".join(text.split())
    if not LETTER.search(words) or words in ALLOWED:
        return ""
    return words


class UnmarkedText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping: list[str] = []

    def report(self, what: str, text: str, data: str = "") -> None:
        line, _column = self.getpos()
        # Data starts where the previous tag ended: count the line breaks before its first word.
        line += data[: len(data) - len(data.lstrip())].count("\n")
        self.found.append(f"line {line}: {what} {text!r}")

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            readable = name in READER_ATTRIBUTES or (
                name == "value" and tag == "input" and (attributes.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if readable and value and (text := leftover(value)):
                self.report(f"{name}=", text)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and (text := leftover(data)):
            self.report("text", text, data)


def unmarked(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    parser = UnmarkedText()
    if path.suffix == ".html":
        parser.feed(skeleton(source))
        parser.close()
        return parser.found
    # Plain-text templates (e-mails): everything left is text.
    found = []
    for number, line in enumerate(skeleton(source).splitlines(), start=1):
        if text := leftover(line):
            found.append(f"line {number}: text {text!r}")
    return found


TEMPLATE_FILES = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


def test_it_finds_the_templates():
    assert len(TEMPLATE_FILES) > 5


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=[str(p.relative_to(TEMPLATES)) for p in TEMPLATE_FILES])
def test_it_marks_every_readable_string(path):
    assert unmarked(path) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>{% translate 'Hello' %}</p>", []),
        ("<p>Hello</p>", ["line 1: text 'Hello'"]),
        ("<p>{{ name }} · 42 → %</p>", []),
        ("<p>{% blocktranslate %}Day {{ n }} of 100{% endblocktranslate %}</p>", []),
        ("{# a note #}{% comment %}Notes for developers{% endcomment %}<p></p>", []),
        ('<nav aria-label="Main"></nav>', ["line 1: aria-label= 'Main'"]),
        ("<nav aria-label=\"{% translate 'Main' %}\"></nav>", []),
        ('<img alt="{{ chart.text }}" src="x.png">', []),
        ('<input type="submit" value="Save">', ["line 1: value= 'Save'"]),
        ('<input type="hidden" name="next" value="next">', []),
        ("<script>let label = 'Hello';</script><style>.a{color:red}</style>", []),
        ("<p>{% if a %}\nOpen{% endif %}</p>", ["line 2: text 'Open'"]),
    ],
)
def test_it_tells_marked_from_unmarked(tmp_path, source, expected):
    path = tmp_path / "sample.html"
    path.write_text(source, encoding="utf-8")
    assert unmarked(path) == expected
