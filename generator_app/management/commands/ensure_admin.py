"""`manage.py ensure_admin`: create the first administrator once.

The password comes from HANDGEN_ADMIN_PASSWORD (checked by the site's password
validators, so a weak one stops the start with the reason), or is generated and printed once.
"""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from generator_app.services.accounts import create_first_admin


class Command(BaseCommand):
    help = "Create the first admin user (username 'admin') if no administrator exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        password = os.environ.get("HANDGEN_ADMIN_PASSWORD") or None
        try:
            user, password = create_first_admin(username=username, password=password)
        except ValidationError as error:
            raise CommandError(
                "HANDGEN_ADMIN_PASSWORD is refused: " + " ".join(error.messages)
                + " Choose a stronger one, or unset it to get a generated password."
            ) from None
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
