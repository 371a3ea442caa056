"""Illustrative demo data: two accelerators, clearly marked as invented examples.

UAE: a closed past cohort built from the publicly reported examples in DOMAIN.md. Uzbekistan: a
first cohort around Day 40 with weeks of check-in history. Loading is idempotent: an accelerator
that already exists is left as it is.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from challenges import clock
from challenges.goals import infer_kind
from challenges.models import Challenge, CheckIn
from cohorts.models import Accelerator, Cohort, Entity, User
from cohorts.services import cohort_create, cohort_mark_launched
from members.models import AcceleratorRole, Membership
from program_admin.services import accelerator_create

DEMO_PASSWORD = "demo-accelerators-2026"
DEMO_USERS = {
    "admin": ("admin@demo.accelerators.example", "Amal Al Mansoori", "Program admin (both accelerators)"),
    "official": ("official@demo.accelerators.example", "Otabek Karimov", "Official (both accelerators)"),
    "lead": ("lead@demo.accelerators.example", "Dilnoza Yusupova", "Team lead of an Uzbek challenge"),
}


@dataclass
class DemoChallenge:
    title: str
    entity: str
    partners: list[str]
    metric: str
    unit: str
    baseline: str
    target: str
    baseline_period: str
    weekly: list[str]  # check-in values, one per week


UAE_ENTITIES = [
    ("Ministry of Interior", "MOI"),
    ("Ministry of Justice", "MOJ"),
    ("Federal Authority for Identity and Citizenship", "ICP"),
    ("General Pension and Social Security Authority", "GPSSA"),
    ("Etihad Water and Electricity", "EtihadWE"),
    ("Telecommunications and Digital Government Regulatory Authority", "TDRA"),
]
UAE_CHALLENGES = [
    DemoChallenge(
        "Example: cut deaths on the 5 most dangerous roads by 21%",
        "Ministry of Interior",
        ["Etihad Water and Electricity"],
        "Road deaths on the 5 roads",
        "deaths",
        "114",
        "90",
        "Same 100 days a year earlier",
        ["112", "108", "104", "101", "99", "97", "95", "93", "92", "91", "90", "89", "88", "90"],
    ),
    DemoChallenge(
        "Example: a minor-claims court that settles claims up to AED 100,000 in one day",
        "Ministry of Justice",
        ["Telecommunications and Digital Government Regulatory Authority"],
        "Days to settle a minor claim",
        "days",
        "45",
        "1",
        "2016 average",
        ["40", "33", "26", "20", "14", "9", "6", "4", "3", "2", "1", "1", "1", "1"],
    ),
    DemoChallenge(
        "مثال: تقليص مدة إصدار تأشيرة الإقامة",
        "Federal Authority for Identity and Citizenship",
        ["Ministry of Interior"],
        "مدة إصدار التأشيرة",
        "أيام",
        "10",
        "2",
        "متوسط 2016",
        ["9", "9", "8", "7", "6", "5", "5", "4", "3", "3", "2", "2", "2", "2"],
    ),
    DemoChallenge(
        "Example: faster retirement payroll",
        "General Pension and Social Security Authority",
        ["Ministry of Justice"],
        "Days from retirement to first pension",
        "days",
        "60",
        "20",
        "2016 average",
        ["58", "55", "52", "50", "47", "45", "42", "40", "37", "35", "32", "30", "28", "27"],
    ),
    DemoChallenge(
        "Example: shorter wait for a grid connection",
        "Etihad Water and Electricity",
        ["Ministry of Interior"],
        "Days to connect a new building",
        "days",
        "30",
        "10",
        "2016 average",
        ["29", "27", "25", "23", "20", "18", "16", "14", "13", "12", "11", "10", "10", "9"],
    ),
    DemoChallenge(
        "Example: one digital ID login for 7 agencies' services",
        "Telecommunications and Digital Government Regulatory Authority",
        ["Federal Authority for Identity and Citizenship", "General Pension and Social Security Authority"],
        "Agencies on the single login",
        "agencies",
        "0",
        "7",
        "Before the challenge",
        ["0", "1", "1", "2", "3", "3", "4", "5", "5", "6", "6", "7", "7", "7"],
    ),
]

UZ_ENTITIES = [
    ("Davlat xizmatlari agentligi", "DXA"),
    ("Sogʻliqni saqlash vazirligi", "SSV"),
    ("Raqamli texnologiyalar vazirligi", "RTV"),
    ("Qurilish va uy-joy kommunal xoʻjaligi vazirligi", "QV"),
    ("Soliq qoʻmitasi", "SQ"),
    ("Kadastr agentligi", "KA"),
    ("Toshkent shahar hokimligi", "TSH"),
]
UZ_CHALLENGES = [
    DemoChallenge(
        "Misol: Davlat xizmatlari markazlarida navbat kutish vaqtini 40% ga qisqartirish",
        "Davlat xizmatlari agentligi",
        ["Raqamli texnologiyalar vazirligi"],
        "Oʻrtacha kutish vaqti",
        "daqiqa",
        "35",
        "21",
        "2026 yil 1-chorak",
        ["34", "32", "30", "28", "26"],
    ),
    DemoChallenge(
        "Пример: сократить срок выдачи разрешения на строительство до 10 дней",
        "Qurilish va uy-joy kommunal xoʻjaligi vazirligi",
        ["Kadastr agentligi", "Toshkent shahar hokimligi"],
        "Срок выдачи разрешения",
        "дней",
        "45",
        "10",
        "2025 год",
        ["44", "44", "43", "42", "41"],
    ),
    DemoChallenge(
        "Misol: elektron xizmatlardan foydalanishni ikki barobar oshirish",
        "Raqamli texnologiyalar vazirligi",
        ["Davlat xizmatlari agentligi"],
        "Oylik elektron murojaatlar",
        "ming",
        "120",
        "240",
        "2026 yil sentyabr",
        ["128", "140", "155", "170", "185"],
    ),
    DemoChallenge(
        "Пример: сократить очередь на плановый приём в поликлиниках Ташкента",
        "Sogʻliqni saqlash vazirligi",
        ["Toshkent shahar hokimligi"],
        "Дней ожидания приёма",
        "дней",
        "14",
        "5",
        "2026 год, сентябрь",
        ["14", "13", "13", "12", "12"],
    ),
    DemoChallenge(
        "Misol: soliq qaytarish muddatini 30 kundan 7 kunga qisqartirish",
        "Soliq qoʻmitasi",
        ["Raqamli texnologiyalar vazirligi"],
        "Qaytarish muddati",
        "kun",
        "30",
        "7",
        "2026 yil oʻrtachasi",
        ["28", "25", "22", "19", "16"],
    ),
    DemoChallenge(
        "Пример: регистрация недвижимости за один день",
        "Kadastr agentligi",
        ["Davlat xizmatlari agentligi"],
        "Срок регистрации",
        "дней",
        "7",
        "1",
        "2026 год",
        ["6", "5", "4", "3", "2"],
    ),
    DemoChallenge(
        "Misol: yangi biznesni roʻyxatdan oʻtkazishni 30 daqiqaga tushirish",
        "Davlat xizmatlari agentligi",
        ["Soliq qoʻmitasi"],
        "Roʻyxatdan oʻtish vaqti",
        "daqiqa",
        "120",
        "30",
        "2026 yil avgust",
        ["115", "112", "108", "104", "100"],
    ),
    DemoChallenge(
        "Пример: подключение к водопроводу за 15 дней в Ташкенте",
        "Toshkent shahar hokimligi",
        ["Qurilish va uy-joy kommunal xoʻjaligi vazirligi"],
        "Срок подключения",
        "дней",
        "40",
        "15",
        "2026 год",
        ["39", "37", "36", "34", "33"],
    ),
    DemoChallenge(
        "Misol: onlayn shifokor qabuliga yozilish ulushini 60% ga yetkazish",
        "Sogʻliqni saqlash vazirligi",
        ["Raqamli texnologiyalar vazirligi"],
        "Onlayn yozilishlar ulushi",
        "%",
        "15",
        "60",
        "2026 yil sentyabr",
        ["17", "20", "22", "25", "27"],
    ),
    DemoChallenge(
        "Пример: выдача справки о несудимости онлайн за 1 час",
        "Davlat xizmatlari agentligi",
        ["Raqamli texnologiyalar vazirligi"],
        "Срок выдачи справки",
        "часов",
        "72",
        "1",
        "2026 год",
        ["70", "60", "48", "30", "20"],
    ),
]


@functools.cache
def _demo_password_hash() -> str:
    # Hashing is deliberately slow; every demo account shares the one password, so hash it once.
    return make_password(DEMO_PASSWORD)


def _person(email: str, name: str, **extra) -> User:
    user, _created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "password": _demo_password_hash(), **extra}
    )
    return user


def _launch_as_on_its_day(cohort, admin) -> None:
    """Launch the demo cohort as if on the morning of its launch day: launched now, its page said
    "Launched on <today>" beside "Day 41 of 100" (found by walking the demo)."""
    cohort_mark_launched(cohort=cohort, by=admin)
    zone = ZoneInfo(cohort.accelerator.time_zone)
    when = datetime.combine(cohort.launch_date, time(9), tzinfo=zone)
    Cohort.objects.filter(pk=cohort.pk).update(launched_at=when)
    cohort.history.filter(status=Cohort.Status.LAUNCHED).update(history_date=when)
    cohort.refresh_from_db()


def _entities(accelerator: Accelerator, rows) -> dict[str, Entity]:
    return {
        name: Entity.objects.get_or_create(accelerator=accelerator, name=name, defaults={"acronym": acronym})[0]
        for name, acronym in rows
    }


def _load_cohort(*, accelerator, entities, cohort, specs, people, lead_for, cadence, admin) -> None:
    for index, spec in enumerate(specs):
        baseline, target = Decimal(spec.baseline), Decimal(spec.target)
        challenge = Challenge.objects.create(
            cohort=cohort,
            title=spec.title,
            goal_statement=f"{spec.metric}: {spec.baseline} → {spec.target} {spec.unit}",
            lead_entity=entities[spec.entity],
            metric=spec.metric,
            unit=spec.unit,
            unit_kind=infer_kind(spec.unit),
            direction="increase" if target > baseline else "decrease",
            baseline_value=baseline,
            baseline_period=spec.baseline_period,
            target_value=target,
        )
        challenge.partner_entities.set([entities[name] for name in spec.partners])
        lead = lead_for(index)
        seats = [
            (lead, Membership.Role.TEAM_LEAD),
            (people["coach"], Membership.Role.COACH),
            (people["sponsor"], Membership.Role.SPONSOR),
            (people["member"], Membership.Role.MEMBER),
        ]
        Membership.objects.bulk_create([Membership(challenge=challenge, user=u, role=r) for u, r in seats])
        checkins = []
        for week, value in enumerate(spec.weekly, start=1):
            reported_on = cohort.launch_date + timedelta(days=week * cadence)
            checkins.append(
                CheckIn(
                    challenge=challenge,
                    author=lead,
                    period=week,
                    reported_on=reported_on,
                    value=Decimal(value),
                    done="Weekly team meeting held; actions from last week completed.",
                    next_steps="Keep the weekly rhythm; escalate open decisions to the sponsor.",
                    confidence=3 + (week + index) % 3,
                )
            )
        CheckIn.objects.bulk_create(checkins)
        if checkins:
            Challenge.objects.filter(pk=challenge.pk).update(
                current_value=checkins[-1].value, last_checkin_on=checkins[-1].reported_on
            )


@transaction.atomic
def load_demo(*, today: date | None = None) -> list[str]:
    """Create the demo accelerators, cohorts and people; returns what it created."""
    created = []
    admin = _person(DEMO_USERS["admin"][0], DEMO_USERS["admin"][1], is_staff=True, is_superuser=True)
    official = _person(DEMO_USERS["official"][0], DEMO_USERS["official"][1])
    lead = _person(DEMO_USERS["lead"][0], DEMO_USERS["lead"][1], preferred_language="uz")
    today = today or timezone.localdate()

    if not Accelerator.objects.filter(slug="uae").exists():
        uae = accelerator_create(
            name="UAE Government Accelerators",
            slug="uae",
            country="AE",
            time_zone="Asia/Dubai",
            default_language="ar",
            primary_colour="#92722a",
            is_demo=True,
        )
        entities = _entities(uae, UAE_ENTITIES)
        people = {
            "coach": _person("coach@uae.demo.accelerators.example", "Fatima Al Hashimi"),
            "sponsor": _person("sponsor@uae.demo.accelerators.example", "Khalid Al Suwaidi"),
            "member": _person("member@uae.demo.accelerators.example", "Mariam Al Ketbi"),
        }
        leads = [
            _person(f"lead{i}@uae.demo.accelerators.example", name)
            for i, name in enumerate(
                [
                    "Saeed Al Falasi",
                    "Noura Al Zaabi",
                    "Hamad Al Shamsi",
                    "Aisha Al Nuaimi",
                    "Rashid Al Mazrouei",
                    "Latifa Al Qasimi",
                ]
            )
        ]
        cohort = cohort_create(
            accelerator=uae,
            number=1,
            name="Batch 1 (example)",
            design_start=date(2016, 10, 1),
            launch_date=date(2016, 11, 6),
        )
        _launch_as_on_its_day(cohort, admin)
        _load_cohort(
            accelerator=uae,
            entities=entities,
            cohort=cohort,
            specs=UAE_CHALLENGES,
            people=people,
            lead_for=lambda i: leads[i],
            cadence=uae.checkin_cadence_days,
            admin=admin,
        )
        AcceleratorRole.objects.create(user=people["coach"], accelerator=uae, role=AcceleratorRole.Role.COACH)
        created.append(f"{uae.name}: {cohort.name} (closed)")
    uae = Accelerator.objects.get(slug="uae")

    if not Accelerator.objects.filter(slug="uzbekistan").exists():
        uzb = accelerator_create(
            name="Uzbekistan Government Accelerators",
            slug="uzbekistan",
            country="UZ",
            time_zone="Asia/Tashkent",
            default_language="uz",
            primary_colour="#1f6f8b",
            is_demo=True,
        )
        entities = _entities(uzb, UZ_ENTITIES)
        people = {
            "coach": _person("coach@uz.demo.accelerators.example", "Jasur Rahimov"),
            "sponsor": _person("sponsor@uz.demo.accelerators.example", "Nodira Tursunova"),
            "member": _person("member@uz.demo.accelerators.example", "Sardor Aliyev"),
        }
        other_leads = [
            _person(f"lead{i}@uz.demo.accelerators.example", name)
            for i, name in enumerate(
                [
                    "Aziz Qodirov",
                    "Малика Ахмедова",
                    "Bekzod Ismoilov",
                    "Гульнора Саидова",
                    "Shoxrux Nazarov",
                    "Дильшод Хамидов",
                    "Zarina Ergasheva",
                    "Фарход Мирзаев",
                    "Kamola Usmonova",
                ]
            )
        ]
        launch = today - timedelta(days=40)
        cohort = cohort_create(
            accelerator=uzb,
            number=1,
            name="1-guruh (misol)",
            design_start=launch - timedelta(days=45),
            launch_date=launch,
        )
        _launch_as_on_its_day(cohort, admin)
        _load_cohort(
            accelerator=uzb,
            entities=entities,
            cohort=cohort,
            specs=UZ_CHALLENGES,
            people=people,
            lead_for=lambda i: lead if i == 0 else other_leads[i - 1],
            cadence=uzb.checkin_cadence_days,
            admin=admin,
        )
        AcceleratorRole.objects.create(user=people["coach"], accelerator=uzb, role=AcceleratorRole.Role.COACH)
        created.append(f"{uzb.name}: {cohort.name} (Day 40)")
    uzb = Accelerator.objects.get(slug="uzbekistan")

    for accelerator in (uae, uzb):
        AcceleratorRole.objects.get_or_create(
            user=admin, accelerator=accelerator, role=AcceleratorRole.Role.PROGRAM_ADMIN, cohort=None
        )
        AcceleratorRole.objects.get_or_create(
            user=official, accelerator=accelerator, role=AcceleratorRole.Role.OFFICIAL, cohort=None
        )
    clock.clock_tick(notify=False)
    return created
