"""Finding the site's forms from its own pages, and the database state they may not half-change."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.apps import apps
from django.db import connection
from django.urls import reverse

from members.policy import OK, ROLES
from tests.access_world import URL_KWARGS

# The order in which a role is picked to exercise a view: the people who really use it first.
ROLE_PREFERENCE = ["team_lead", "admin", "coach", "official_in_scope", "member", "sponsor", "superuser", *ROLES]
ERROR_MARKERS = ("error-message", "alert-error", 'aria-invalid="true"', "errorlist")


@dataclass
class FormField:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, number, date, file, email...
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, FormField] = field(default_factory=dict)


class FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(attrs.get("action") or self.page_path).path or self.page_path
            self._form = Form(action=action, method=(attrs.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            entry = self._form.fields.setdefault(attrs["name"], FormField(attrs["name"], kind))
            if kind in ("radio", "checkbox") and attrs.get("value") is not None:
                entry.options.append(attrs["value"])
            elif kind == "hidden" and attrs.get("value") is not None:
                entry.options = [attrs["value"]]
        elif tag == "textarea":
            self._form.fields.setdefault(attrs["name"], FormField(attrs["name"], "textarea"))
        elif tag == "select":
            self._select = self._form.fields.setdefault(attrs["name"], FormField(attrs["name"], "select"))
        if tag == "option" and self._select is not None and attrs.get("value") is not None:
            self._select.options.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def parse_forms(html: str, page_path: str) -> list[Form]:
    parser = FormParser(page_path)
    parser.feed(html)
    return parser.forms


def walk_patterns():
    from tests.members.test_access_matrix import NAMES, PATTERNS

    for route, pattern in PATTERNS:
        policy = getattr(pattern.callback, "access_policy", None)
        if policy is not None:
            yield route, pattern, policy, NAMES[route]


def path_for(pattern, name: str, world) -> str:
    return reverse(name, kwargs={kw: URL_KWARGS[kw](world) for kw in pattern.pattern.converters})


def role_allowed_to_post(policy) -> str | None:
    for role in ROLE_PREFERENCE:
        if policy.expected("POST", role) == OK:
            return role
    return None


def forms_seen_by(client, world, role: str) -> dict[str, dict[str, FormField]]:
    """Every POST form on every page ``role`` may open, by the path it posts to."""
    by_action: dict[str, dict[str, FormField]] = {}
    for _route, pattern, policy, name in walk_patterns():
        if policy.expected("GET", role) != OK:
            continue
        response = client.get(path_for(pattern, name, world))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for form in parse_forms(response.content.decode(), response.wsgi_request.path):
            if form.method == "post":
                by_action.setdefault(form.action, {}).update(form.fields)
    return by_action


def row_counts() -> dict[str, int]:
    """Rows per table of every model (sessions and axes' bookkeeping aside), in one query."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label not in {"sessions", "axes"} and model._meta.managed
        }
    )
    sql = " UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM {connection.ops.quote_name(table)}" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def looks_like_a_refusal(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        return any(marker in response.content.decode() for marker in ERROR_MARKERS)
    return False
