"""Hostile input at every form the site serves: never a 5xx, never a half-saved write.

The forms are discovered, not listed: every URL pattern that accepts POST is exercised as a role
its policy lets in, with the field names read from the forms on the pages that role can open.
"""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cohorts.models import Cohort
from tests.hardening.forms import (
    FormField,
    forms_seen_by,
    looks_like_a_refusal,
    path_for,
    role_allowed_to_post,
    row_counts,
    walk_patterns,
)

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(A1:A9)",
    "@cmd",
    "' OR 1=1 --",
    "تحدي الـ100 يوم: تقليل وقت الانتظار",
    "\u202egnp.exe",
    "Ўзбекистон ҳукумати",
    "\x00",
    "   ",
    "",
    "1e309",
    "-0",
    "NaN",
    "99999999999999999999999999",
    "12,5",
    "٤٢",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
]

text_values = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=80),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.sampled_from(["A" * 6000, "ب" * 100_000]),
)


def value_strategy(form_field: FormField):
    if form_field.kind == "file":
        return st.tuples(
            st.sampled_from(["list.csv", "list.xlsx", "<x>.csv", "../../etc/passwd"]), st.binary(max_size=2000)
        ).map(lambda pair: SimpleUploadedFile(pair[0], pair[1]))
    if form_field.options:
        return st.one_of(st.sampled_from(form_field.options), text_values)
    return text_values


def payload_strategy(fields: dict[str, FormField]):
    return st.fixed_dictionaries(
        {},
        optional={name: value_strategy(f) for name, f in fields.items()} | {"unexpected_field": text_values},
    )


def forms_seen(client, world, role: str, cohort_state: str) -> dict:
    """``forms_seen_by``, crawled once per module's world, role and state of its cohort: every test's
    writes are rolled back (``standard_world``), so each test of the module is offered the same forms.
    Crawling every page a role opens, for each of the fifty forms, was most of this module's time."""
    seen = world.__dict__.setdefault("_forms_seen", {})
    if (role, cohort_state) not in seen:
        seen[role, cohort_state] = forms_seen_by(client, world, role)
    return seen[role, cohort_state]


POST_TARGETS = [
    (route, pattern, policy, name)
    for route, pattern, policy, name in walk_patterns()
    if role_allowed_to_post(policy) is not None
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "pattern", "policy", "name"), POST_TARGETS, ids=[t[0] or "/" for t in POST_TARGETS])
def test_generated_input_never_breaks_a_form_or_half_saves(client, route, pattern, policy, name, standard_world):
    world = standard_world
    role = role_allowed_to_post(policy)
    person = world.people[role]
    if person is not None:
        client.force_login(person)
    path = path_for(pattern, name, world)
    fields = forms_seen(client, world, role, "launched").get(path, {})
    if not fields and "cohort_id" in pattern.pattern.converters:
        # Some forms (the challenge-list import) are only offered before the cohort's launch.
        launched = Cohort.objects.filter(pk=world.cohort.pk).values("status", "launched_at").get()
        Cohort.objects.filter(pk=world.cohort.pk).update(status=Cohort.Status.DRAFT, launched_at=None)
        fields = forms_seen(client, world, role, "draft").get(path, {})
        if not fields:
            Cohort.objects.filter(pk=world.cohort.pk).update(**launched)

    @hypothesis_settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(payload=payload_strategy(fields))
    def post_it(payload):
        if person is not None:
            client.force_login(person)  # a generated POST may have been a logout
        for value in payload.values():
            if hasattr(value, "seek"):
                value.seek(0)
        before = row_counts()
        response = client.post(path, payload)
        assert response.status_code < 500, f"POST {path} as {role} → {response.status_code} with {payload!r:.300}"
        if looks_like_a_refusal(response):
            after = row_counts()
            changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
            assert changed == {}, f"POST {path} as {role} was refused but wrote {changed}"

    post_it()


# --- Oversized bodies and uploads ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversized_body_is_refused_cleanly(client, standard_world):
    world = standard_world
    body = "done=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    # The pages' forms; the JSON API answers bad bodies with Problem Details (tests/api, schemathesis).
    targets = [
        (path_for(pattern, name, world), policy)
        for _route, pattern, policy, name in walk_patterns()
        if policy.expected("POST", "team_lead") == "ok" and not _route.startswith("api/")
    ]
    assert targets
    for path, policy in targets:
        client.force_login(world.people["team_lead"])  # an earlier POST may have been the logout
        before = row_counts()
        response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, (path, response.status_code)
        if policy.expected("POST", "anonymous") == "ok":
            continue  # public actions (log out, language) may not read the body at all
        assert response.status_code in (400, 413), (path, response.status_code)
        assert "400.html" in [t.name for t in response.templates] or response.status_code == 413
        assert row_counts() == before, path


@pytest.mark.django_db
def test_too_many_fields_are_refused_cleanly(client, standard_world):
    world = standard_world
    client.force_login(world.people["team_lead"])
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10)}
    response = client.post(path_for(*_first_post_target_for("team_lead"), world), fields)
    assert response.status_code == 400


def _first_post_target_for(role):
    for _route, pattern, policy, name in walk_patterns():
        if policy.expected("POST", role) == "ok" and pattern.pattern.converters:
            return pattern, name
    pytest.skip(f"no POST view for {role} yet")


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_cleanly(client, standard_world):
    """Every file field the admin sees (the challenge-list import) refuses a file over IMPORT_MAX_BYTES."""
    world = standard_world
    # Challenge lists are imported into a cohort before its launch.
    Cohort.objects.filter(pk=world.cohort.pk).update(status=Cohort.Status.DRAFT, launched_at=None)
    client.force_login(world.people["admin"])
    uploads = {
        action: fields
        for action, fields in forms_seen_by(client, world, "admin").items()
        if any(f.kind == "file" for f in fields.values())
    }
    if not uploads:
        pytest.skip("no upload form yet")
    for action, fields in uploads.items():
        before = row_counts()
        payload = {name: f.options[0] for name, f in fields.items() if f.options and f.kind != "file"}
        for name, f in fields.items():
            if f.kind == "file":
                payload[name] = SimpleUploadedFile(
                    "big.csv", b"title,metric\n" + b"x" * (settings.IMPORT_MAX_BYTES + 1)
                )
        response = client.post(action, payload)
        assert response.status_code in (200, 400, 413), (action, response.status_code)
        assert looks_like_a_refusal(response), action
        assert row_counts() == before, action


@pytest.mark.django_db
@pytest.mark.parametrize("extreme", ["9999-12-31", "0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_never_break_a_form(client, extreme, standard_world):
    """Every date field of every form, at the first and last day Python can hold (found by hypothesis)."""
    world = standard_world
    Cohort.objects.filter(pk=world.cohort.pk).update(status=Cohort.Status.DRAFT, launched_at=None)
    seen: dict[str, dict] = {}  # each role's forms, read once: their fields do not depend on earlier POSTs
    posted = []
    for _route, pattern, policy, name in POST_TARGETS:
        role = role_allowed_to_post(policy)
        if world.people[role] is None:
            continue
        client.force_login(world.people[role])
        path = path_for(pattern, name, world)
        if role not in seen:
            seen[role] = forms_seen_by(client, world, role)
        fields = seen[role].get(path, {})
        dated = [n for n, f in fields.items() if f.kind == "date" or n.endswith(("_date", "_on", "_start", "_by"))]
        if not dated:
            continue
        payload = {n: (f.options[0] if f.options else "x") for n, f in fields.items() if f.kind != "file"}
        payload.update(dict.fromkeys(dated, extreme))
        response = client.post(path, payload)
        assert response.status_code < 500, (path, extreme)
        posted.append(path)
    # The cohort form, the calendar preview, the check-in and the goal correction, at least.
    assert len(posted) >= 4, posted
