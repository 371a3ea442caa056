"""A realistic dataset at a chosen scale, for benchmarks and for trying the dashboards at volume.

``generate()`` builds accelerators × cohorts × challenges × check-ins × people with set-based
inserts (``bulk_create`` in batches), from one seeded random generator, so the same seed and the
same ``today`` give the same titles, values and dates. Every accelerator and person it creates is
marked ``is_generated``; it refuses to run against a database that holds anything else unless
``force`` is given. The phases, transitions, overdue stations and statuses are left to the real
clock (``challenges.clock.clock_tick``), run once at the end, so they are what the clock says.

Generated rows are written without django-simple-history records: they are synthetic, and the
history tables would double the volume without telling a reader anything.
"""

from __future__ import annotations

import hashlib
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from challenges.clock import clock_tick
from challenges.goals import infer_kind
from challenges.models import Blocker, Challenge, CheckIn, PhaseTransition, Station, StationAnchor, StationTemplate
from challenges.services import accelerator_install_default_stations
from cohorts.calendar import ACCELERATION_DAYS
from cohorts.models import Accelerator, Cohort, Entity, User
from members.models import AcceleratorRole, Membership

BATCH_SIZE = 2000
DESIGN_DAYS = 42
# Long enough that weekly check-ins through acceleration and sustainment give ~30 per challenge.
GENERATED_SUSTAINMENT_DAYS = 120
SPAN_DAYS = 5 * 365
# The newest cohort is still in design when the data is generated; the rest spread back 5 years.
NEWEST_LAUNCH_AHEAD_DAYS = 14
UNUSABLE_PASSWORD = "!generated-account-cannot-sign-in"
EMAIL_DOMAIN = "generated.accelerators.example"

DEFAULTS = {
    "accelerators": 1,
    "cohorts": 20,
    "challenges_per_cohort": 50,
    "checkins_per_challenge": 30,
    "people": 1500,
    "seed": 2026,
}

COUNTRIES = [
    ("UZ", "Asia/Tashkent", "uz"),
    ("AE", "Asia/Dubai", "ar"),
    ("KZ", "Asia/Almaty", "ru"),
    ("JO", "Asia/Amman", "ar"),
]

ENTITIES = [
    "Ministry of Interior",
    "Ministry of Justice",
    "Ministry of Health",
    "Ministry of Education",
    "Ministry of Finance",
    "Ministry of Economy",
    "Ministry of Energy",
    "Ministry of Transport",
    "Ministry of Agriculture",
    "Ministry of Digital Technologies",
    "Ministry of Labour",
    "Ministry of Construction",
    "Ministry of Water Resources",
    "Ministry of Culture",
    "Ministry of Emergency Situations",
    "Tax Committee",
    "Customs Committee",
    "Statistics Agency",
    "Public Services Agency",
    "Cadastre Agency",
    "Pension Fund",
    "State Assets Agency",
    "Environment Committee",
    "Youth Affairs Agency",
]

LANGUAGE_WEIGHTS = [("en", 3), ("ar", 3), ("uz", 2), ("ru", 2)]

SERVICES = {
    "en": [
        "passport renewal",
        "business licences",
        "building permits",
        "pension payments",
        "vehicle registration",
        "grid connections",
        "birth registration",
        "land titles",
        "school enrolment",
        "clinic appointments",
    ],
    "ar": [
        "تجديد جوازات السفر",
        "الرخص التجارية",
        "تصاريح البناء",
        "صرف المعاشات",
        "تسجيل المركبات",
        "توصيل الكهرباء",
        "تسجيل المواليد",
        "سندات الملكية",
        "التسجيل في المدارس",
        "مواعيد العيادات",
    ],
    "uz": [
        "pasport almashtirish",
        "biznes litsenziyalari",
        "qurilish ruxsatnomalari",
        "pensiya to'lovlari",
        "transport vositalarini ro'yxatga olish",
        "elektr tarmog'iga ulanish",
        "tug'ilishni qayd etish",
        "yer hujjatlari",
        "maktabga qabul",
        "poliklinika navbatlari",
    ],
    "ru": [
        "замена паспорта",
        "бизнес-лицензии",
        "разрешения на строительство",
        "выплата пенсий",
        "регистрация транспорта",
        "подключение к электросети",
        "регистрация рождения",
        "документы на землю",
        "запись в школу",
        "запись в поликлинику",
    ],
}

REGIONS = {
    "en": [
        "the capital",
        "the northern region",
        "the southern region",
        "the eastern region",
        "the western region",
        "the coastal region",
        "the valley region",
        "the mountain districts",
    ],
    "ar": [
        "العاصمة",
        "المنطقة الشمالية",
        "المنطقة الجنوبية",
        "المنطقة الشرقية",
        "المنطقة الغربية",
        "المنطقة الساحلية",
        "منطقة الوادي",
        "المناطق الجبلية",
    ],
    "uz": [
        "Toshkent shahri",
        "Samarqand viloyati",
        "Farg'ona viloyati",
        "Buxoro viloyati",
        "Xorazm viloyati",
        "Namangan viloyati",
        "Andijon viloyati",
        "Qashqadaryo viloyati",
    ],
    "ru": [
        "в столице",
        "в Самаркандской области",
        "в Ферганской области",
        "в Бухарской области",
        "в Хорезмской области",
        "в Наманганской области",
        "в Андижанской области",
        "в Кашкадарьинской области",
    ],
}


@dataclass(frozen=True)
class GoalTemplate:
    """One kind of 100-day goal: its wording per language and the range of plausible numbers."""

    titles: dict[str, str]
    metrics: dict[str, tuple[str, str]]  # language → (metric, unit)
    direction: str
    baseline: tuple[float, float]
    change_pct: tuple[int, int]
    decimals: int
    ceiling: float | None = None


GOALS = [
    GoalTemplate(
        titles={
            "en": "Cut the waiting time for {service} in {region} by {pct}%",
            "ar": "خفض مدة الانتظار في {service} في {region} بنسبة {pct}%",
            "uz": "{region}da {service} bo'yicha kutish vaqtini {pct}% ga qisqartirish",
            "ru": "Сократить время ожидания по услуге «{service}» {region} на {pct}%",
        },
        metrics={
            "en": ("Average waiting time", "days"),
            "ar": ("متوسط مدة الانتظار", "يوم"),
            "uz": ("O'rtacha kutish vaqti", "kun"),
            "ru": ("Среднее время ожидания", "дней"),
        },
        direction="decrease",
        baseline=(20, 90),
        change_pct=(20, 60),
        decimals=1,
    ),
    GoalTemplate(
        titles={
            "en": "Raise the online share of {service} applications in {region} by {pct}%",
            "ar": "رفع نسبة الطلبات الإلكترونية في {service} في {region} بنسبة {pct}%",
            "uz": "{region}da {service} bo'yicha onlayn arizalar ulushini {pct}% ga oshirish",
            "ru": "Увеличить долю онлайн-заявок по услуге «{service}» {region} на {pct}%",
        },
        metrics={
            "en": ("Share of applications made online", "%"),
            "ar": ("نسبة الطلبات الإلكترونية", "%"),
            "uz": ("Onlayn arizalar ulushi", "%"),
            "ru": ("Доля онлайн-заявок", "%"),
        },
        direction="increase",
        baseline=(10, 45),
        change_pct=(30, 100),
        decimals=1,
        ceiling=100,
    ),
    GoalTemplate(
        titles={
            "en": "Deliver {service} in {region} {pct}% faster",
            "ar": "إنجاز {service} في {region} أسرع بنسبة {pct}%",
            "uz": "{region}da {service} muddatini {pct}% ga qisqartirish",
            "ru": "Ускорить услугу «{service}» {region} на {pct}%",
        },
        metrics={
            "en": ("Processing time", "days"),
            "ar": ("مدة المعالجة", "يوم"),
            "uz": ("Ko'rib chiqish muddati", "kun"),
            "ru": ("Срок рассмотрения", "дней"),
        },
        direction="decrease",
        baseline=(10, 60),
        change_pct=(25, 70),
        decimals=1,
    ),
    GoalTemplate(
        titles={
            "en": "Cut complaints about {service} in {region} by {pct}%",
            "ar": "خفض الشكاوى المتعلقة بـ{service} في {region} بنسبة {pct}%",
            "uz": "{region}da {service} bo'yicha shikoyatlarni {pct}% ga kamaytirish",
            "ru": "Сократить число жалоб по услуге «{service}» {region} на {pct}%",
        },
        metrics={
            "en": ("Complaints per month", "complaints"),
            "ar": ("عدد الشكاوى شهرياً", "شكوى"),
            "uz": ("Oylik shikoyatlar soni", "ta"),
            "ru": ("Жалоб в месяц", "шт."),
        },
        direction="decrease",
        baseline=(150, 2000),
        change_pct=(20, 50),
        decimals=0,
    ),
    GoalTemplate(
        titles={
            "en": "Serve {pct}% more people with {service} in {region}",
            "ar": "زيادة عدد المستفيدين من {service} في {region} بنسبة {pct}%",
            "uz": "{region}da {service} xizmatidan foydalanuvchilar sonini {pct}% ga oshirish",
            "ru": "Увеличить число получателей услуги «{service}» {region} на {pct}%",
        },
        metrics={
            "en": ("People served per week", "people"),
            "ar": ("عدد المستفيدين أسبوعياً", "شخص"),
            "uz": ("Haftalik foydalanuvchilar soni", "kishi"),
            "ru": ("Получателей в неделю", "чел."),
        },
        direction="increase",
        baseline=(300, 5000),
        change_pct=(15, 60),
        decimals=0,
    ),
]

CHECKIN_DONE = {
    "en": [
        "Mapped the process end to end with the frontline staff.",
        "Removed two approval steps; trialled the new form at one office.",
        "Opened an extra counter at peak hours.",
        "Trained the office staff on the new procedure.",
        "Published the service standard and the new deadlines.",
        "Rolled the change out to every office in the region.",
    ],
    "ar": [
        "رسمنا مسار الإجراء كاملاً مع موظفي الخط الأمامي.",
        "ألغينا خطوتين من خطوات الموافقة وجربنا النموذج الجديد في مكتب واحد.",
        "فتحنا نافذة إضافية في ساعات الذروة.",
        "درّبنا الموظفين على الإجراء الجديد.",
        "عمّمنا التغيير على جميع المكاتب في المنطقة.",
    ],
    "uz": [
        "Jarayonni xodimlar bilan boshidan oxirigacha tahlil qildik.",
        "Ikki tasdiqlash bosqichini olib tashladik, yangi shaklni bitta idorada sinadik.",
        "Eng gavjum soatlarda qo'shimcha oyna ochdik.",
        "Xodimlarni yangi tartibga o'qitdik.",
        "O'zgarishni viloyatning barcha idoralariga joriy qildik.",
    ],
    "ru": [
        "Описали процесс от начала до конца вместе с сотрудниками на местах.",
        "Убрали два согласования, опробовали новую форму в одном офисе.",
        "Открыли дополнительное окно в часы пик.",
        "Обучили сотрудников новому порядку.",
        "Распространили изменения на все офисы области.",
    ],
}

CHECKIN_NEXT = {
    "en": ["Extend the trial to two more offices.", "Agree the data feed with the partner entity.", "Keep going."],
    "ar": ["توسيع التجربة لتشمل مكتبين آخرين.", "الاتفاق على تبادل البيانات مع الجهة الشريكة.", "الاستمرار."],
    "uz": ["Sinovni yana ikki idoraga kengaytirish.", "Hamkor tashkilot bilan ma'lumot almashishni kelishish."],
    "ru": ["Расширить пилот ещё на два офиса.", "Согласовать обмен данными с партнёрским ведомством."],
}

BLOCKERS = {
    "en": ["The partner entity has not shared its data yet.", "A regulation needs the minister's sign-off."],
    "ar": ["لم تشارك الجهة الشريكة بياناتها بعد.", "يحتاج تعديل اللائحة إلى موافقة الوزير."],
    "uz": ["Hamkor tashkilot hali ma'lumotlarini bermadi.", "Nizomga o'zgartirish vazir imzosini talab qiladi."],
    "ru": ["Партнёрское ведомство ещё не передало данные.", "Изменение регламента требует подписи министра."],
}

FIRST_NAMES = {
    "en": ["Sarah", "James", "Maria", "David", "Aisha", "Omar", "Elena", "Daniel", "Fatima", "Lucas"],
    "ar": ["أحمد", "فاطمة", "محمد", "مريم", "خالد", "نورة", "سالم", "عائشة", "حمدان", "شيخة"],
    "uz": ["Dilnoza", "Otabek", "Nodira", "Jasur", "Malika", "Sardor", "Gulnora", "Bekzod", "Zarina", "Aziz"],
    "ru": ["Анна", "Иван", "Ольга", "Сергей", "Елена", "Дмитрий", "Наталья", "Алексей", "Мария", "Павел"],
}
LAST_NAMES = {
    "en": ["Smith", "Hassan", "Garcia", "Khan", "Brown", "Rahman", "Novak", "Ali", "Martin", "Costa"],
    "ar": ["المنصوري", "الكعبي", "الشامسي", "المهيري", "النعيمي", "الظاهري", "السويدي", "الهاشمي"],
    "uz": ["Karimov", "Yusupova", "Rahimov", "Tosheva", "Aliyev", "Saidova", "Ergashev", "Nazarova"],
    "ru": ["Иванова", "Петров", "Смирнова", "Кузнецов", "Попова", "Соколов", "Волкова", "Морозов"],
}
JOB_TITLES = ["Head of department", "Senior specialist", "Specialist", "Deputy director", "Chief analyst"]


class GenerationRefused(Exception):
    """The database holds data the generator did not make; pass ``force`` to add to it anyway."""


@dataclass
class GenerationResult:
    accelerators: int = 0
    entities: int = 0
    people: int = 0
    cohorts: int = 0
    challenges: int = 0
    memberships: int = 0
    checkins: int = 0
    blockers: int = 0
    stations: int = 0
    transitions: int = 0
    accelerator_ids: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{name.replace('_', ' ')}: {value:,}" for name, value in vars(self).items() if isinstance(value, int)]


class Progress:
    """A plain-text progress line on stderr: rewritten in place on a terminal, in 10% steps otherwise."""

    def __init__(self, total: int, *, label: str = "generating", stream: TextIO | None = None):
        self.total = max(total, 1)
        self.done = 0
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_step = -1

    def advance(self, amount: int, note: str = "") -> None:
        self.done = min(self.total, self.done + amount)
        percent = 100 * self.done // self.total
        if self.tty:
            bar = "#" * (percent // 4)
            self.stream.write(f"\r{self.label} [{bar:<25}] {percent:3d}% {note:<30}")
        elif percent // 10 != self._last_step:
            self._last_step = percent // 10
            self.stream.write(f"{self.label} {percent:3d}% {note}\n")
        self.stream.flush()

    def finish(self, note: str = "done") -> None:
        if self.tty:
            self.stream.write(f"\r{self.label} [{'#' * 25}] 100% {note:<30}\n")
        self.stream.flush()


def non_generated_data_present() -> bool:
    """Whether the database holds accelerators or people (other than superusers) we did not generate."""
    return (
        Accelerator.objects.filter(is_generated=False).exists()
        or User.objects.filter(is_generated=False, is_superuser=False).exists()
    )


def cohort_launch_dates(count: int, today: date) -> list[date]:
    """Launch days spread evenly over five years, the newest still ahead (in design)."""
    newest = today + timedelta(days=NEWEST_LAUNCH_AHEAD_DAYS)
    if count == 1:
        return [today - timedelta(days=40)]
    step = (SPAN_DAYS + NEWEST_LAUNCH_AHEAD_DAYS) / (count - 1)
    return [newest - timedelta(days=round(step * (count - 1 - k))) for k in range(count)]


def generate(
    *,
    accelerators: int = DEFAULTS["accelerators"],
    cohorts: int = DEFAULTS["cohorts"],
    challenges_per_cohort: int = DEFAULTS["challenges_per_cohort"],
    checkins_per_challenge: int = DEFAULTS["checkins_per_challenge"],
    people: int = DEFAULTS["people"],
    seed: int = DEFAULTS["seed"],
    force: bool = False,
    today: date | None = None,
    progress_stream: TextIO | None = None,
) -> GenerationResult:
    """Generate the dataset and run the clock over it; returns what was created.

    ``people`` is per accelerator. ``today`` (default: today in UTC) anchors every date, so a
    seed and a ``today`` reproduce the same data. Raises ``GenerationRefused`` if the database
    holds non-generated data and ``force`` is false.
    """
    if min(accelerators, cohorts, challenges_per_cohort) < 1 or checkins_per_challenge < 0:
        raise ValueError("accelerators, cohorts and challenges per cohort must be at least 1")
    if people < 12:
        raise ValueError("at least 12 people per accelerator are needed to staff a team")
    if not force and non_generated_data_present():
        raise GenerationRefused(
            "The database holds accelerators or people that were not generated; use --force to add to it anyway."
        )
    today = today or timezone.now().date()
    rng = random.Random(seed)
    progress = Progress(accelerators * cohorts * challenges_per_cohort, stream=progress_stream)
    result = GenerationResult()
    # Numbering continues after earlier generated data, so a forced second run never collides.
    offset = Accelerator.objects.filter(is_generated=True).count()
    people_offset = User.objects.filter(is_generated=True).count()

    with transaction.atomic():
        for index in range(accelerators):
            builder = _AcceleratorBuilder(
                rng=rng,
                number=offset + index + 1,
                people_offset=people_offset + index * people,
                today=today,
                result=result,
                progress=progress,
            )
            builder.build(
                cohorts=cohorts,
                challenges_per_cohort=challenges_per_cohort,
                checkins_per_challenge=checkins_per_challenge,
                people=people,
            )
        now = datetime.combine(today, time(9), tzinfo=UTC)
        tick = clock_tick(now=now, accelerator_ids=result.accelerator_ids, notify=False)
        result.transitions = tick.transitions_recorded
        result.stations = Station.objects.filter(challenge__cohort__accelerator_id__in=result.accelerator_ids).count()
    progress.finish(f"{result.challenges:,} challenges, {result.checkins:,} check-ins")
    return result


class _AcceleratorBuilder:
    def __init__(self, *, rng: random.Random, number: int, people_offset: int, today: date, result, progress):
        self.rng = rng
        self.number = number
        self.people_offset = people_offset
        self.today = today
        self.result = result
        self.progress = progress

    def build(self, *, cohorts: int, challenges_per_cohort: int, checkins_per_challenge: int, people: int) -> None:
        country, zone, language = COUNTRIES[(self.number - 1) % len(COUNTRIES)]
        self.accelerator = Accelerator.objects.create(
            name=f"Generated accelerator {self.number}",
            slug=f"generated-{self.number}",
            country=country,
            time_zone=zone,
            default_language=language,
            sustainment_days=GENERATED_SUSTAINMENT_DAYS,
            is_generated=True,
        )
        accelerator_install_default_stations(accelerator=self.accelerator)
        self.templates = list(StationTemplate.objects.filter(accelerator=self.accelerator).order_by("id"))
        self.result.accelerators += 1
        self.result.accelerator_ids.append(self.accelerator.id)
        self.entities = Entity.objects.bulk_create(
            [Entity(accelerator=self.accelerator, name=name) for name in ENTITIES], batch_size=BATCH_SIZE
        )
        self.result.entities += len(self.entities)
        self._people(people)
        for number, launch in enumerate(cohort_launch_dates(cohorts, self.today), start=1):
            self._cohort(number, launch, challenges_per_cohort, checkins_per_challenge)

    # --- people -----------------------------------------------------------------------------------

    def _name(self) -> str:
        language = self._language()
        return f"{self.rng.choice(FIRST_NAMES[language])} {self.rng.choice(LAST_NAMES[language])}"

    def _language(self) -> str:
        languages, weights = zip(*LANGUAGE_WEIGHTS, strict=True)
        return self.rng.choices(languages, weights)[0]

    def _people(self, count: int) -> None:
        admins, officials = 2, 5
        coaches = max(2, count // 60)
        sponsors = max(2, count // 20)
        users = []
        for n in range(count):
            entity = self.rng.choice(self.entities)
            users.append(
                User(
                    email=f"person{self.people_offset + n + 1:06d}@{EMAIL_DOMAIN}",
                    full_name=self._name(),
                    job_title=self.rng.choice(JOB_TITLES),
                    entity=entity,
                    preferred_language=self._language(),
                    password=UNUSABLE_PASSWORD,
                    is_generated=True,
                )
            )
        users = User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        self.result.people += len(users)
        self.admins = users[:admins]
        self.officials = users[admins : admins + officials]
        self.coaches = users[admins + officials : admins + officials + coaches]
        self.sponsors = users[admins + officials + coaches : admins + officials + coaches + sponsors]
        self.staff = users[admins + officials + coaches + sponsors :]
        self.staff_by_entity: dict[int, list[User]] = {}
        for user in self.staff:
            self.staff_by_entity.setdefault(user.entity_id, []).append(user)
        Role = AcceleratorRole.Role
        grants = (
            [AcceleratorRole(user=u, accelerator=self.accelerator, role=Role.PROGRAM_ADMIN) for u in self.admins]
            + [AcceleratorRole(user=u, accelerator=self.accelerator, role=Role.OFFICIAL) for u in self.officials]
            + [AcceleratorRole(user=u, accelerator=self.accelerator, role=Role.COACH) for u in self.coaches]
        )
        AcceleratorRole.objects.bulk_create(grants, batch_size=BATCH_SIZE)

    # --- cohorts and challenges ---------------------------------------------------------------------

    def _cohort(self, number: int, launch: date, size: int, max_checkins: int) -> None:
        design_start = launch - timedelta(days=DESIGN_DAYS)
        cohort = Cohort.objects.create(
            accelerator=self.accelerator,
            number=number,
            name=f"Cohort {number} ({launch:%B %Y})",
            design_start=design_start,
            launch_date=launch,
            sustainment_days=self.accelerator.sustainment_days,
            status=Cohort.Status.LAUNCHED,
            launched_at=datetime.combine(design_start, time(8), tzinfo=UTC),
            launched_by=self.admins[0],
        )
        self.result.cohorts += 1
        specs = [self._challenge_spec(cohort) for _ in range(size)]
        titles: set[str] = set()
        for spec in specs:
            title, suffix = spec["challenge"].title, 2
            while spec["challenge"].title in titles:
                spec["challenge"].title = f"{title} ({suffix})"
                suffix += 1
            titles.add(spec["challenge"].title)
        for spec in specs:
            spec["checkins"] = self._checkins(spec, cohort, max_checkins)
            if spec["checkins"]:
                latest = spec["checkins"][-1]
                spec["challenge"].current_value = latest.value
                spec["challenge"].last_checkin_on = latest.reported_on
        challenges = Challenge.objects.bulk_create([s["challenge"] for s in specs], batch_size=BATCH_SIZE)
        self.result.challenges += len(challenges)

        partners, seats, checkins, blockers, stations = [], [], [], [], []
        through = Challenge.partner_entities.through
        for spec, challenge in zip(specs, challenges, strict=True):
            partners += [through(challenge_id=challenge.id, entity_id=e.id) for e in spec["partners"]]
            seats += [Membership(challenge=challenge, user=u, role=r) for u, r in spec["seats"]]
            for checkin in spec["checkins"]:
                checkin.challenge = challenge
            checkins += spec["checkins"]
            blockers += self._blockers(spec, challenge, cohort)
            stations += self._stations(spec, challenge, cohort)
        through.objects.bulk_create(partners, batch_size=BATCH_SIZE)
        Membership.objects.bulk_create(seats, batch_size=BATCH_SIZE)
        CheckIn.objects.bulk_create(checkins, batch_size=BATCH_SIZE)
        Blocker.objects.bulk_create(blockers, batch_size=BATCH_SIZE)
        Station.objects.bulk_create(stations, batch_size=BATCH_SIZE)
        self.result.memberships += len(seats)
        self.result.checkins += len(checkins)
        self.result.blockers += len(blockers)
        self.progress.advance(size, f"cohort {number}")

    def _challenge_spec(self, cohort: Cohort) -> dict:
        rng = self.rng
        language = self._language()
        goal = rng.choice(GOALS)
        pct = rng.randint(*goal.change_pct)
        baseline = round(rng.uniform(*goal.baseline), goal.decimals)
        if goal.direction == "increase":
            target = baseline * (1 + pct / 100)
            if goal.ceiling is not None:
                target = min(target, goal.ceiling)
        else:
            target = baseline * (1 - pct / 100)
        target = round(target, goal.decimals)
        if target == baseline:
            target = baseline + (1 if goal.direction == "increase" else -1)
        service = rng.choice(SERVICES[language])
        region = rng.choice(REGIONS[language])
        metric, unit = goal.metrics[language]
        lead_entity = rng.choice(self.entities)
        partners = rng.sample([e for e in self.entities if e.id != lead_entity.id], rng.randint(1, 3))
        challenge = Challenge(
            cohort=cohort,
            title=goal.titles[language].format(service=service, region=region, pct=pct),
            goal_statement="",
            lead_entity=lead_entity,
            metric=metric,
            unit=unit,
            unit_kind=infer_kind(unit),
            direction=goal.direction,
            baseline_value=_decimal(baseline, goal.decimals),
            baseline_period=str(cohort.launch_date.year - 1),
            target_value=_decimal(target, goal.decimals),
        )
        # The outcome this team will reach by Day 100 (share of the way to the target), and how the
        # result holds afterwards: most reach it, some fall short, a few slip during sustainment.
        outcome = rng.choices(
            [rng.uniform(1.05, 1.3), rng.uniform(0.6, 1.0), rng.uniform(0.1, 0.6)], weights=[65, 25, 10]
        )[0]
        return {
            "challenge": challenge,
            "goal": goal,
            "language": language,
            "partners": partners,
            "seats": self._team(lead_entity, partners),
            "outcome": outcome,
            "curve": rng.uniform(0.7, 1.5),
            "slip": rng.uniform(0.1, 0.4) if rng.random() < 0.2 else 0.0,
            "quiet_after": rng.randint(3, 12) if rng.random() < 0.05 else None,
        }

    def _team(self, lead_entity: Entity, partners: list[Entity]) -> list[tuple[User, str]]:
        """8–12 people: a team lead and members from the entities involved, a coach and a sponsor."""
        rng = self.rng
        pool = list(self.staff_by_entity.get(lead_entity.id, []))
        for partner in partners:
            pool += self.staff_by_entity.get(partner.id, [])
        size = rng.randint(8, 12) - 2
        if len(pool) < size:
            pool += rng.sample(self.staff, min(len(self.staff), size - len(pool) + 4))
        unique = list(dict.fromkeys(pool))
        team = rng.sample(unique, min(size, len(unique)))
        Role = Membership.Role
        seats = [(team[0], Role.TEAM_LEAD)] + [(u, Role.MEMBER) for u in team[1:]]
        seats += [(rng.choice(self.coaches), Role.COACH), (rng.choice(self.sponsors), Role.SPONSOR)]
        return seats

    def _checkins(self, spec: dict, cohort: Cohort, max_checkins: int) -> list[CheckIn]:
        """Weekly values from Day 7 to today: a noisy curve towards the outcome, then hold or slip."""
        rng = self.rng
        challenge, goal, language = spec["challenge"], spec["goal"], spec["language"]
        cadence = self.accelerator.checkin_cadence_days
        lead = spec["seats"][0][0]
        baseline, target = float(challenge.baseline_value), float(challenge.target_value)
        last_day = _last_report_day(cohort)
        rows = []
        for period in range(1, max_checkins + 1):
            day = period * cadence
            reported_on = cohort.launch_date + timedelta(days=day)
            if reported_on > self.today or day > last_day:
                break
            if spec["quiet_after"] is not None and period > spec["quiet_after"]:
                break
            if day <= ACCELERATION_DAYS:
                share = spec["outcome"] * (day / ACCELERATION_DAYS) ** spec["curve"]
            else:
                share = spec["outcome"] * (
                    1 - spec["slip"] * (day - ACCELERATION_DAYS) / (last_day - ACCELERATION_DAYS)
                )
            share += rng.gauss(0, 0.03)
            value = baseline + (target - baseline) * share
            value = max(value, 0.0)
            if goal.ceiling is not None:
                value = min(value, goal.ceiling)
            expected = min(day, ACCELERATION_DAYS) / ACCELERATION_DAYS
            confidence = (
                5 if share >= expected else 4 if share >= expected - 0.1 else 3 if share >= expected - 0.25 else 2
            )
            rows.append(
                CheckIn(
                    author=lead,
                    period=period,
                    reported_on=reported_on,
                    value=_decimal(value, goal.decimals),
                    done=rng.choice(CHECKIN_DONE[language]),
                    next_steps=rng.choice(CHECKIN_NEXT[language]),
                    confidence=confidence,
                )
            )
        return rows

    def _blockers(self, spec: dict, challenge: Challenge, cohort: Cohort) -> list[Blocker]:
        rng = self.rng
        lead = spec["seats"][0][0]
        rows = []
        for _ in range(rng.choices([0, 1, 2], weights=[60, 30, 10])[0]):
            raised_on = cohort.launch_date + timedelta(days=rng.randint(3, 90))
            if raised_on > self.today:
                continue
            resolved = raised_on + timedelta(days=14) <= self.today and rng.random() < 0.8
            rows.append(
                Blocker(
                    challenge=challenge,
                    raised_by=lead,
                    description=rng.choice(BLOCKERS[spec["language"]]),
                    severity=rng.choice(list(Blocker.Severity.values)),
                    decision_needed_by=raised_on + timedelta(days=14),
                    state=Blocker.State.RESOLVED if resolved else Blocker.State.OPEN,
                    resolution="Resolved with the sponsor." if resolved else "",
                    resolved_at=datetime.combine(raised_on + timedelta(days=10), time(10), tzinfo=UTC)
                    if resolved
                    else None,
                    resolved_by=lead if resolved else None,
                )
            )
        return rows

    def _stations(self, spec: dict, challenge: Challenge, cohort: Cohort) -> list[Station]:
        """Each milestone of the template; most past ones done, a few left open, overdue."""
        rng = self.rng
        lead = spec["seats"][0][0]
        rows = []
        for template in self.templates:
            anchor = cohort.launch_date if template.anchor == StationAnchor.LAUNCH else cohort.design_start
            due_on = anchor + timedelta(days=template.day_offset)
            done = due_on < self.today and rng.random() < 0.9
            rows.append(
                Station(
                    challenge=challenge,
                    template=template,
                    kind=template.kind,
                    name=template.name,
                    due_on=due_on,
                    state=Station.State.DONE if done else Station.State.PENDING,
                    done_on=min(self.today, due_on + timedelta(days=rng.randint(0, 4))) if done else None,
                    done_by=lead if done else None,
                )
            )
        return rows


def _last_report_day(cohort: Cohort) -> int:
    """The last day number on which the team still reports: the end of sustainment."""
    return ACCELERATION_DAYS + cohort.sustainment_days


def _decimal(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def dataset_digest() -> str:
    """A fingerprint of the generated data by natural keys (no ids, no creation timestamps).

    Two runs with the same seed and ``today`` in fresh databases give the same digest.
    """
    digest = hashlib.sha256()
    generated = {"cohort__accelerator__is_generated": True}
    sources = [
        Accelerator.objects.filter(is_generated=True).values_list("slug", "name", "country", "time_zone"),
        User.objects.filter(is_generated=True).values_list("email", "full_name", "job_title", "entity__name"),
        Cohort.objects.filter(accelerator__is_generated=True).values_list(
            "accelerator__slug", "number", "name", "design_start", "launch_date"
        ),
        Challenge.objects.filter(**generated).values_list(
            "cohort__number",
            "title",
            "lead_entity__name",
            "metric",
            "baseline_value",
            "target_value",
            "current_value",
            "phase",
            "phase_since",
            "status",
            "progress",
            "last_checkin_on",
        ),
        Membership.objects.filter(challenge__cohort__accelerator__is_generated=True).values_list(
            "challenge__cohort__number", "challenge__title", "user__email", "role"
        ),
        CheckIn.objects.filter(challenge__cohort__accelerator__is_generated=True).values_list(
            "challenge__cohort__number", "challenge__title", "period", "reported_on", "value", "confidence", "done"
        ),
        PhaseTransition.objects.filter(challenge__cohort__accelerator__is_generated=True).values_list(
            "challenge__cohort__number", "challenge__title", "to_phase", "effective_on"
        ),
        Station.objects.filter(challenge__cohort__accelerator__is_generated=True).values_list(
            "challenge__cohort__number", "challenge__title", "kind", "due_on", "state", "done_on"
        ),
    ]
    for rows in sources:
        for row in sorted(tuple(str(v) for v in row) for row in rows):
            digest.update("\x1f".join(row).encode())
            digest.update(b"\x1e")
    return digest.hexdigest()
