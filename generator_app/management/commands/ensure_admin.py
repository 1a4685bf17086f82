"""`manage.py ensure_admin`: create the first administrator once.

The password comes from HANDGEN_ADMIN_PASSWORD, or is generated and printed once.
"""

import os

from django.core.management.base import BaseCommand

from generator_app.services.accounts import create_first_admin


class Command(BaseCommand):
    help = "Create the first admin user (username 'admin') if no administrator exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        password = os.environ.get("HANDGEN_ADMIN_PASSWORD") or None
        user, password = create_first_admin(username=username, password=password)
        if user is None:
            self.stdout.write("an administrator already exists; nothing to do")
            return
        if os.environ.get("HANDGEN_ADMIN_PASSWORD"):
            self.stdout.write(
                self.style.SUCCESS(f"created admin user {username!r} (password from HANDGEN_ADMIN_PASSWORD)")
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"created admin user {username!r} with password: {password}\n"
                    "  (shown only this once; change it at /accounts/password_change/)"
                )
            )
