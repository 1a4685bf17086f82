"""`manage.py import_shipped_runs`: the training record of each shipped generator as a finished run.

Run by scripts/start.sh after ``register_pretrained`` and ``import_real_datasets`` on every
start; a generator already linked to its run is left alone, so later starts cost milliseconds.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from generator_app.services.shipped_runs import import_shipped_runs


class Command(BaseCommand):
    help = "Import the training history shipped with each generator in ml/pretrained/ as a finished run."

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.HANDGEN_PRETRAINED_DIR))

    def handle(self, *args, directory, **options):
        report = import_shipped_runs(directory=Path(directory))
        for name in report.imported:
            self.stdout.write(self.style.SUCCESS(f"imported the training run of {name}"))
        for name in report.present:
            self.stdout.write(f"training run of {name} already imported")
        for name in report.no_history:
            self.stdout.write(f"{name} ships no training record ({directory}/{name}/card_facts.json)")
        if report.errors:
            raise CommandError("some training records could not be imported:\n  " + "\n  ".join(report.errors))
