"""Time-lapse: run one cohort through design → Day 100 → sustainment → closed in seconds.

It drives the real clock (``challenges.clock.clock_tick``) with a moving date, one local day at a
time, and prints every phase transition and station as it happens. By default everything runs in
a transaction that is rolled back at the end, so a demo or a coaches' training leaves no trace;
``--commit`` keeps the result.
"""

from collections import Counter
from datetime import UTC, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from challenges.clock import clock_tick
from challenges.models import Challenge, Station, StationKind
from cohorts.models import Cohort


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Run a cohort through its whole 100 journey in seconds, printing each transition and station."

    def add_arguments(self, parser):
        parser.add_argument("cohort", type=int, help="The cohort's id.")
        parser.add_argument("--commit", action="store_true", help="Keep the simulated result instead of rolling back.")
        parser.add_argument("--step", type=int, default=1, help="Days per tick (default 1).")

    def handle(self, *args, cohort: int, commit: bool, step: int, **options):
        try:
            self.cohort = Cohort.objects.select_related("accelerator").get(pk=cohort)
        except Cohort.DoesNotExist:
            raise CommandError(f"No cohort with id {cohort}.") from None
        if step < 1:
            raise CommandError("--step must be at least 1.")
        try:
            with transaction.atomic():
                self._run(step)
                if not commit:
                    raise _Rollback
        except _Rollback:
            self.stdout.write("(simulation rolled back; run with --commit to keep it)")

    def _run(self, step: int) -> None:
        cohort = self.cohort
        accelerator = cohort.accelerator
        if not cohort.is_launched:
            Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.LAUNCHED, launched_at=timezone.now())
            cohort.refresh_from_db()
        titles = dict(Challenge.objects.filter(cohort=cohort).values_list("id", "title"))
        self.stdout.write(
            f"{cohort} · {accelerator} · {accelerator.time_zone} · {len(titles)} challenges · "
            f"Day 0 = {cohort.launch_date} · sustainment {cohort.sustainment_days} days"
        )
        day = cohort.design_start - timedelta(days=1)
        last = cohort.sustainment_ends + timedelta(days=2)
        while True:
            # Just after local midnight, as the 15-minute beat would first see the new day.
            now = datetime.combine(day, time(0, 5), tzinfo=accelerator.zone).astimezone(UTC)
            result = clock_tick(now=now, accelerator_ids=[accelerator.id], cohort_ids=[cohort.pk], notify=False)
            label = f"{day.isoformat()}  Day {cohort.day_number(day):>4}"
            for challenge_id, from_phase, to_phase, effective_on in sorted(
                result.transitions, key=lambda t: (t[3], t[0])
            ):
                self.stdout.write(f"{label}  {from_phase} → {to_phase} (from {effective_on})  {titles[challenge_id]}")
            due = Counter(Station.objects.filter(challenge__cohort=cohort, due_on=day).values_list("kind", flat=True))
            for kind, count in sorted(due.items()):
                self.stdout.write(f"{label}  station due: {StationKind(kind).label} ({count} challenges)")
            if result.stations_overdue:
                self.stdout.write(f"{label}  {result.stations_overdue} station(s) now overdue")
            if day >= last:
                break
            day = min(day + timedelta(days=step), last)  # always end on the last day
        phases = Counter(Challenge.objects.filter(cohort=cohort).values_list("phase", flat=True))
        self.stdout.write("final phases: " + ", ".join(f"{phase}={count}" for phase, count in sorted(phases.items())))
