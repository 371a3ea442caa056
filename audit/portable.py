"""A portable copy of one accelerator's data: export to JSON, import into an empty database.

What belongs to an accelerator is found generically, so models added later come along without
a change here: starting from the accelerator row, every row of the project's apps whose foreign
key points at a row already taken (its entities, station templates, cohorts, their challenges,
seats, check-ins, blockers, stations, transitions, notifications, candidates, imports, and the
simple-history records of all of these) is taken too, until nothing new turns up. People are not
owned by an accelerator: a person is taken when a taken row points at them (a grant, a seat, a
check-in's author, a history record's editor...). Their password hashes are included, so accounts
keep working after a restore; treat an export like a database backup.

The file is Django's own serialization (a list of ``{"model", "pk", "fields"}``, loadable with
``loaddata`` too), ordered by model dependencies and primary key, so two exports of the same data
are byte-identical. Primary keys are kept. References that leave the export are handled so the
file loads on its own: a nullable foreign key to a row outside it (say, a person's entity in
another accelerator) is written as null, and many-to-many lists keep only rows inside it. Django's
groups and per-user permissions are not exported (their ids differ between databases).
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from cohorts.models import Accelerator

# In the order their rows can be loaded: each app only points at apps before it (loaddata reads the
# file in order; Django sorts models by natural keys only, not by foreign keys).
PROJECT_APPS = ("cohorts", "challenges", "members", "program_admin")
# Rows of these models never travel: they are per-installation plumbing, not the program's data.
NOT_EXPORTED: set[str] = set()
FORMAT_VERSION = 1
# Exports written before grants, seats and invitations moved to ``members``, and intake and imports
# to ``program_admin``, still load.
LEGACY_LABELS = {
    f"{old}.{model}": f"members.{model}"
    for old, names in {
        "cohorts": ["acceleratorrole", "historicalacceleratorrole", "invitation", "historicalinvitation"],
        "challenges": ["membership", "historicalmembership"],
    }.items()
    for model in names
} | {
    f"cohorts.{model}": f"program_admin.{model}"
    for model in ["candidatechallenge", "historicalcandidatechallenge", "importjob"]
}


class ImportRefused(Exception):
    pass


def exported_models() -> list[type[models.Model]]:
    found = [
        model
        for app_label in PROJECT_APPS
        for model in apps.get_app_config(app_label).get_models()
        if model._meta.label_lower not in NOT_EXPORTED and not model._meta.proxy
    ]
    return serializers.sort_dependencies([(None, found)], allow_cycles=True)


def _is_history(model) -> bool:
    return hasattr(model, "instance_type") and any(f.name == "history_id" for f in model._meta.fields)


def _foreign_keys(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _pointing_at(model, taken: dict, user_model) -> models.Q:
    """Rows of ``model`` that point at a row already taken (people aside), or are its history."""
    conditions = models.Q()
    for fk in _foreign_keys(model):
        target = fk.related_model
        if target is not user_model and taken.get(target):
            conditions |= models.Q(**{f"{fk.attname}__in": sorted(taken[target])})
    if _is_history(model) and taken.get(model.instance_type):
        conditions |= models.Q(id__in=sorted(taken[model.instance_type]))
    return conditions


def _people_of(taken: dict, user_model) -> set:
    people: set = set()
    for model, pks in list(taken.items()):
        user_fks = [fk.attname for fk in _foreign_keys(model) if fk.related_model is user_model]
        if user_fks and pks:
            for row in model._default_manager.filter(pk__in=list(pks)).values_list(*user_fks):
                people.update(value for value in row if value is not None)
    return people


def collect(accelerator: Accelerator) -> dict[type[models.Model], set]:
    """Primary keys of every row that belongs to ``accelerator``, per model, plus the people involved."""
    user_model = get_user_model()
    taken: dict[type[models.Model], set] = defaultdict(set)
    taken[Accelerator].add(accelerator.pk)
    candidates = [m for m in exported_models() if m is not user_model]
    changed = True
    while changed:
        changed = False
        for model in candidates:
            conditions = _pointing_at(model, taken, user_model)
            if not conditions:
                continue
            pks = set(model._default_manager.filter(conditions).values_list("pk", flat=True))
            if pks - taken[model]:
                taken[model] |= pks
                changed = True
    people = _people_of(taken, user_model)
    taken[user_model] |= people
    # The people's own history comes along (who changed their name, language, entity...).
    for model in exported_models():
        if _is_history(model) and model.instance_type is user_model and people:
            taken[model] |= set(model._default_manager.filter(id__in=people).values_list("pk", flat=True))
    return taken


def _cut_loose_ends(model, record: dict, taken: dict) -> None:
    """Null nullable references that leave the export; keep only in-export many-to-many rows; one zero."""
    fields = record["fields"]
    for name, value in fields.items():
        if isinstance(value, float) and value == 0:
            fields[name] = 0.0  # -0.0 (0 ÷ a negative span) does not survive every database's round trip
    for fk in _foreign_keys(model):
        value = fields.get(fk.name)
        if value is None or not fk.db_constraint:
            continue
        if value not in taken.get(fk.related_model, ()):
            if not fk.null:
                raise ValueError(f"{model._meta.label} {record['pk']}: {fk.name} points outside the export")
            fields[fk.name] = None
    for m2m in model._meta.many_to_many:
        if m2m.name in fields:
            if m2m.related_model._meta.app_label in PROJECT_APPS:
                fields[m2m.name] = sorted(pk for pk in fields[m2m.name] if pk in taken.get(m2m.related_model, ()))
            else:
                fields[m2m.name] = []


def export_accelerator(slug: str) -> str:
    """The accelerator's data as deterministic JSON (raises Accelerator.DoesNotExist)."""
    accelerator = Accelerator.objects.get(slug=slug)
    taken = collect(accelerator)
    records = []
    for model in exported_models():
        pks = taken.get(model)
        if not pks:
            continue
        queryset = model._default_manager.filter(pk__in=list(pks)).order_by("pk")
        if model._meta.many_to_many:
            queryset = queryset.prefetch_related(*(m.name for m in model._meta.many_to_many))
        for record in serializers.serialize("python", queryset):
            _cut_loose_ends(model, record, taken)
            records.append(record)
    return json.dumps(records, cls=ExactJSONEncoder, ensure_ascii=False, indent=1) + "\n"


def _models_of(objects: Iterable) -> set[type[models.Model]]:
    return {type(obj.object) for obj in objects}


class ExactJSONEncoder(DjangoJSONEncoder):
    """Times to the microsecond. DjangoJSONEncoder keeps milliseconds only, so a time such as
    07:45:25.000412 went out as "…25.000Z", came back as …25.000000 and went out again as
    "…25Z": the round trip was neither exact nor byte-identical."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat(timespec="microseconds")
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


@transaction.atomic
def import_accelerator(data: str) -> dict[str, int]:
    """Load an export into this database, all or nothing; refuses to overwrite existing rows."""
    try:
        records = json.loads(data)
    except ValueError as error:
        raise DeserializationError(str(error)) from error
    for record in records:
        record["model"] = LEGACY_LABELS.get(record["model"].lower(), record["model"])
    objects = list(serializers.deserialize("python", records, ignorenonexistent=False))
    clashes = []
    by_model: dict[type[models.Model], list] = defaultdict(list)
    for obj in objects:
        by_model[type(obj.object)].append(obj.object.pk)
    for model, pks in by_model.items():
        existing = model._default_manager.filter(pk__in=list(pks)).count()
        if existing:
            clashes.append(f"{model._meta.label}: {existing}")
    user_model = get_user_model()
    emails = [obj.object.email for obj in objects if isinstance(obj.object, user_model)]
    if user_model._default_manager.filter(email__in=emails).exists():
        clashes.append(f"{user_model._meta.label}: e-mail addresses already in use")
    if clashes:
        raise ImportRefused("the database already holds rows of this export (" + "; ".join(clashes) + ")")

    counts: dict[str, int] = defaultdict(int)
    with connection.constraint_checks_disabled():
        for obj in objects:
            obj.save()  # a raw save: no signals' side effects, no new history records, timestamps kept
            counts[obj.object._meta.label] += 1
    touched = _models_of(objects)
    connection.check_constraints(table_names=[m._meta.db_table for m in touched])
    # Primary keys were kept: move each table's id sequence past them (PostgreSQL).
    statements = connection.ops.sequence_reset_sql(no_style(), list(touched))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return dict(counts)
