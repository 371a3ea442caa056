"""A small world for the admin journey's tests: an accelerator, its admin, entities, people, a draft."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from members.models import AcceleratorRole
from program_admin.importing import COLUMNS
from tests.factories import AcceleratorFactory, CohortFactory, EntityFactory, GrantFactory, UserFactory

HEADER = [column.key for column in COLUMNS]


@dataclass
class Journey:
    accelerator: object
    admin: object
    cohort: object
    entities: dict
    people: dict


def build_journey(**cohort_fields) -> Journey:
    accelerator = AcceleratorFactory(time_zone="Asia/Tashkent", name="Uzbekistan Government Accelerators (example)")
    admin = GrantFactory(accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN).user
    cohort = CohortFactory(
        accelerator=accelerator,
        draft=True,
        design_start=cohort_fields.pop("design_start", date(2026, 5, 1)),
        launch_date=cohort_fields.pop("launch_date", date(2026, 6, 1)),
        **cohort_fields,
    )
    entities = {
        "interior": EntityFactory(accelerator=accelerator, name="وزارة الداخلية", acronym="MOI"),
        "health": EntityFactory(accelerator=accelerator, name="Sog'liqni saqlash vazirligi", acronym="SSV"),
        "justice": EntityFactory(accelerator=accelerator, name="Ministry of Justice", acronym="MOJ"),
    }
    people = {
        key: UserFactory(email=f"{key}@example.org", full_name=name, entity=entities["justice"])
        for key, name in [
            ("lead", "Dilnoza Karimova"),
            ("coach", "Aziz Rahimov"),
            ("sponsor", "Fatima Al Mansouri"),
            ("member1", "Bekzod Tursunov"),
            ("member2", "Mariam Al Hashimi"),
        ]
    }
    return Journey(accelerator, admin, cohort, entities, people)


def good_rows() -> list[list[str]]:
    return [
        HEADER,
        [
            "تقليص زمن إصدار تأشيرة الإقامة",
            "إصدار التأشيرة في يومين بدلاً من عشرة",
            "وزارة الداخلية",
            "SSV; Ministry of Justice",
            "زمن الإصدار",
            "يوم",
            "decrease",
            "١٠",
            "2025",
            "2",
            "lead@example.org",
            "coach@example.org",
            "sponsor@example.org",
            "member1@example.org; member2@example.org",
        ],
        [
            "Navbatda kutish vaqtini qisqartirish",
            "Poliklinikada navbat 45 daqiqadan 15 daqiqagacha",
            "Sog'liqni saqlash vazirligi",
            "",
            "O'rtacha kutish vaqti",
            "daqiqa",
            "",
            "45,5",
            "2025",
            "15",
            "LEAD@example.org",
            "coach@example.org",
            "sponsor@example.org",
            "",
        ],
    ]


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=b"") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return bom + buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([_typed(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _typed(cell: str):
    """Numbers as Excel stores them, so the reader sees real numeric cells."""
    try:
        return int(cell)
    except ValueError:
        return cell


def upload_and_confirm(client, cohort, data: bytes, name="challenges.csv", **reading):
    """What an admin does: upload the file, look at the preview, press "Check and import".

    ``reading`` overrides what was detected (encoding, delimiter, decimal_mark), as the preview's
    choices do. Returns the confirmation's response, or the upload's when it was refused.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    response = client.post(reverse("manage_import", args=[cohort.pk]), {"file": SimpleUploadedFile(name, data)})
    if response.status_code != 302:
        return response
    preview = client.get(response["Location"])
    shown = preview.context["preview"].reading
    posted = {"encoding": shown.encoding, "delimiter": shown.delimiter, "decimal_mark": shown.decimal_mark}
    return client.post(response["Location"], {"action": "confirm", **posted, **reading})
