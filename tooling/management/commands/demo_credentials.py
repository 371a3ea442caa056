from django.conf import settings
from django.core.management.base import BaseCommand

from tooling.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print where to sign in and as whom."

    def handle(self, *args, **options):
        self.stdout.write(
            f"\nAccelerators is starting at {settings.SITE_URL}/  (Django admin: {settings.SITE_URL}/admin/)"
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, name, role in DEMO_USERS.values():
            self.stdout.write(f"  {role:<36} {email}  ({name})")
        self.stdout.write("")
