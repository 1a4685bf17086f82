"""`manage.py register_pretrained`: register the generators shipped in ml/pretrained/.

Run by scripts/start.sh on every start; does nothing when the folder is empty.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from generator_app.services.pretrained import register_pretrained_generators


class Command(BaseCommand):
    help = "Register shipped pretrained generators (ml/pretrained/*/manifest.json) that are not yet known."

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.HANDGEN_PRETRAINED_DIR))

    def handle(self, *args, directory, **options):
        report = register_pretrained_generators(directory=Path(directory))
        for name in report.created:
            self.stdout.write(self.style.SUCCESS(f"registered generator {name}"))
        for name in report.unchanged:
            self.stdout.write(f"generator {name} already registered")
        if not (report.created or report.unchanged or report.errors):
            self.stdout.write(f"no pretrained generators found in {directory}")
        if report.errors:
            raise CommandError("some manifests could not be registered:\n  " + "\n  ".join(report.errors))
