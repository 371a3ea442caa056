"""Time-lapse: run one cohort through its 100 days and sustainment in seconds, week by week.

    manage.py simulate "Cohort 3"                  # by name, or by number: simulate 3
    manage.py simulate 3 --accelerator uae         # when several accelerators have a cohort 3
    manage.py simulate 4 --as-if-launched          # a draft, plainly "as if launched on …"
    manage.py simulate 3 --scenario mixed          # what the teams do (the default: nobody posts)

Each week shows the check-ins due, posted and missing, the reminders the real reminder job would
send (to whom), the stations falling due, the phase changes and the statuses. It drives the
platform's own jobs (``challenges.simulation``) and rolls everything back; ``--commit`` keeps the
clock's result (phases and stations) of a launched cohort.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from challenges.simulation import STATUS_ORDER, Scenario, Week, simulate
from cohorts.models import Cohort


def find_cohort(reference: str, accelerator: str | None = None) -> Cohort:
    """The cohort a person names: its number (within the accelerator) or its name, never a database id."""
    cohorts = Cohort.objects.select_related("accelerator").order_by("accelerator__slug", "number")
    if accelerator:
        cohorts = cohorts.filter(Q(accelerator__slug=accelerator) | Q(accelerator__name__iexact=accelerator))
    reference = reference.strip()
    matches = list(cohorts.filter(number=int(reference))) if reference.isdigit() else []
    matches = matches or list(cohorts.filter(name__iexact=reference)) or list(cohorts.filter(name__icontains=reference))
    if not matches:
        raise CommandError(
            f"No cohort is numbered or named {reference!r}" + (f" in {accelerator}." if accelerator else ".")
        )
    if len(matches) > 1:
        listed = "; ".join(f"{c.accelerator.slug} {c.number} {c.name!r}" for c in matches)
        raise CommandError(f"{reference!r} names several cohorts ({listed}): add --accelerator <slug>.")
    return matches[0]


class Command(BaseCommand):
    help = "Run a cohort through its 100 days week by week: check-ins due, reminders, statuses. Rolled back."

    def add_arguments(self, parser):
        parser.add_argument("cohort", help="The cohort's number or name (as the program team calls it).")
        parser.add_argument("--accelerator", help="The accelerator's short name, when the number is not unique.")
        parser.add_argument(
            "--as-if-launched", action="store_true", help="Simulate a draft as if it were launched on its launch day."
        )
        parser.add_argument(
            "--scenario",
            choices=Scenario.values,
            default=Scenario.SILENT,
            help="What the teams do: " + "; ".join(f"{s.value}: {s.label}" for s in Scenario),
        )
        parser.add_argument(
            "--commit", action="store_true", help="Keep the clock's result (a launched cohort, no scenario)."
        )

    def handle(self, *args, cohort: str, accelerator, as_if_launched: bool, scenario: str, commit: bool, **options):
        found = find_cohort(cohort, accelerator)
        if not found.is_launched and not as_if_launched:
            raise CommandError(
                f"{found.name} is a draft: the clock leaves drafts alone. Add --as-if-launched to see it "
                f"as if launched on {found.launch_date.isoformat()} (nothing is kept)."
            )
        if commit and (not found.is_launched or scenario != Scenario.SILENT):
            raise CommandError("--commit keeps only the clock's result of a launched cohort (no draft, no scenario).")
        accelerator_ = found.accelerator
        self.stdout.write(
            f"{found.name} (no. {found.number}) · {accelerator_} · {accelerator_.time_zone} · "
            f"Day 0 = {found.launch_date} · sustainment {found.sustainment_days} days · scenario: {scenario}"
        )
        if not found.is_launched:
            self.stdout.write(f"DRAFT, simulated as if launched on {found.launch_date.isoformat()}: nothing is kept.")
        sim = simulate(cohort=found, scenario=scenario, as_if_launched=as_if_launched, keep=commit, on_week=self._week)
        final = sim.final
        if final is not None:
            phases = ", ".join(f"{phase}={count}" for phase, count in sorted(final.phases.items()))
            self.stdout.write(f"final phases: {phases}")
        self.stdout.write(f"reminders that would have gone out: {sim.total_reminders}")
        if not commit:
            self.stdout.write("(simulation rolled back: nothing was kept and no e-mail was sent)")

    def _week(self, week: Week) -> None:
        label = f"{week.on.isoformat()}  Day {week.day:>4}"
        statuses = ", ".join(f"{status}={week.count(status)}" for status in STATUS_ORDER if week.count(status))
        self.stdout.write(
            f"{label}  check-ins due {week.due}, posted {week.posted}, missing {week.missing} · "
            f"reminders {len(week.reminders)} · stale {week.stale} · {statuses}"
        )
        for title, old, new, on in week.transitions:
            self.stdout.write(f"{label}    {old} → {new} (from {on.isoformat()})  {title}")
        for station, count in week.stations:
            self.stdout.write(f"{label}    station due: {station} ({count} challenges)")
        for person, title in week.reminders:
            self.stdout.write(f"{label}    reminder to {person}: {title}")
