"""manage.py export_accelerator <slug> > uae.json — one accelerator's data as portable JSON."""

from django.core.management.base import BaseCommand, CommandError

from audit.portable import export_accelerator
from cohorts.models import Accelerator


class Command(BaseCommand):
    help = "Write one accelerator's data (and the people involved, with password hashes) as JSON to stdout."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the accelerator's short name")
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")

    def handle(self, *args, slug, output=None, **options):
        try:
            data = export_accelerator(slug)
        except Accelerator.DoesNotExist:
            raise CommandError(f"no accelerator with the short name {slug!r}") from None
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(data)
        else:
            self.stdout.write(data, ending="")
