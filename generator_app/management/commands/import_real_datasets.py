"""`manage.py import_real_datasets [--data-root DIR]`: register MNIST and the EMNIST letters pool.

Run by scripts/start.sh on every start. Looks in ``HANDGEN_DATA_ROOT`` (default
``../shared/datasets``); each complete folder is imported once, so later starts cost
milliseconds. Without any dataset it says where to put one or how to download it.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from generator_app.services.dataset_autoimport import import_available_datasets
from ml.data.sources import default_data_root


class Command(BaseCommand):
    help = "Import the real datasets found under HANDGEN_DATA_ROOT (../shared/datasets) that are not yet registered."

    def add_arguments(self, parser):
        parser.add_argument("--data-root", default=None, help=f"default: {default_data_root()}")

    def handle(self, *args, data_root, verbosity, **options):
        root = data_root or default_data_root()
        started = time.perf_counter()
        report = import_available_datasets(data_root=root)
        seconds = time.perf_counter() - started
        for name in report.imported:
            self.stdout.write(self.style.SUCCESS(f"imported dataset {name!r}"))
        for name in report.present:
            self.stdout.write(f"dataset {name!r} already registered")
        if verbosity > 1:
            for line in report.missing:
                self.stdout.write(f"not found: {line}")
        if not (report.imported or report.present or report.errors):
            self.stdout.write(self.style.WARNING(
                f"no real dataset found under {root}: put the MNIST/EMNIST files there (or set HANDGEN_DATA_ROOT), "
                "or download MNIST from the admin's Datasets page"))
        if report.imported:
            self.stdout.write(f"dataset import took {seconds:.1f} s")
        if report.errors:
            raise CommandError("some datasets could not be imported:\n  " + "\n  ".join(report.errors))
