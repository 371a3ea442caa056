"""Generate a realistic dataset at a chosen scale (see ``tooling.generator``)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tooling.generator import DEFAULTS, GenerationRefused, generate


class Command(BaseCommand):
    help = (
        "Generate accelerators × cohorts × challenges × check-ins × people in set-based inserts, "
        "reproducible from --seed. Defaults are 'one country, five years': 1 accelerator, 20 cohorts, "
        "1,000 challenges, ~30,000 check-ins. Refuses a database holding non-generated data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accelerators", type=int, default=DEFAULTS["accelerators"])
        parser.add_argument("--cohorts", type=int, default=DEFAULTS["cohorts"], help="Cohorts per accelerator.")
        parser.add_argument("--challenges-per-cohort", type=int, default=DEFAULTS["challenges_per_cohort"])
        parser.add_argument(
            "--checkins-per-challenge",
            type=int,
            default=DEFAULTS["checkins_per_challenge"],
            help="At most this many weekly check-ins per challenge (fewer for challenges not yet that far).",
        )
        parser.add_argument("--people", type=int, default=DEFAULTS["people"], help="People per accelerator.")
        parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="Anchor date (YYYY-MM-DD); default today."
        )
        parser.add_argument(
            "--force", action="store_true", help="Add to a database that already holds non-generated data."
        )

    def handle(self, *args, **options):
        try:
            result = generate(
                accelerators=options["accelerators"],
                cohorts=options["cohorts"],
                challenges_per_cohort=options["challenges_per_cohort"],
                checkins_per_challenge=options["checkins_per_challenge"],
                people=options["people"],
                seed=options["seed"],
                force=options["force"],
                today=options["today"],
                progress_stream=self.stderr._out,
            )
        except GenerationRefused as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for line in result.lines():
            self.stdout.write(line)
