from django.core.management.base import BaseCommand

from tooling.demo import load_demo


class Command(BaseCommand):
    help = "Load the illustrative demo accelerators, cohorts and people (idempotent)."

    def handle(self, *args, **options):
        created = load_demo()
        for line in created:
            self.stdout.write(f"created {line}")
        if not created:
            self.stdout.write("demo data already present")
