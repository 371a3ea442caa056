"""manage.py import_accelerator uae.json — load an export into an empty (freshly migrated) database."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError

from audit.portable import ImportRefused, import_accelerator


class Command(BaseCommand):
    help = "Load a file written by export_accelerator, all or nothing. Existing rows are never overwritten."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the export file, or - for stdin")

    def handle(self, *args, path, **options):
        try:
            if path == "-":
                data = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as file:
                    data = file.read()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        try:
            counts = import_accelerator(data)
        except ImportRefused as error:
            raise CommandError(f"nothing imported: {error}") from None
        except DeserializationError as error:
            raise CommandError(f"nothing imported: the file is not a valid export ({error})") from None
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"imported {sum(counts.values())} rows"))
