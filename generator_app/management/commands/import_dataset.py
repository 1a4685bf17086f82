"""`manage.py import_dataset FORMAT PATH [--name NAME]`: register a dataset with its checksums and preview.

FORMAT is mnist, emnist-letters, emnist-pool (or emnist-pool-cased) for the real
files, read in place; fonts, notmnist, folder or export (a HandGen export ZIP) for a folder or ZIP that is
normalised and stored. A failure says why and leaves nothing behind.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from generator_app.models.choices import DatasetFormat
from generator_app.services.datasets import import_dataset
from ml.data.charset import BUILTIN
from ml.data.importers import ImportOptions
from ml.data.report import advice, balance_report


class Command(BaseCommand):
    help = "Import a character dataset (real MNIST/EMNIST files, a fonts folder, notMNIST, or your handwriting)."

    def add_arguments(self, parser):
        parser.add_argument("format", choices=DatasetFormat.values)
        parser.add_argument("path", help="the dataset folder, or a ZIP for fonts/notmnist/folder")
        parser.add_argument("--name", default="", help="unique name (default: from the format or the file)")
        parser.add_argument("--charset", default="letters-cased", choices=sorted(BUILTIN),
                            help="fonts: which characters to render (default letters-cased)")
        parser.add_argument("--variants", type=int, default=8, help="fonts: distorted renderings per character")
        parser.add_argument("--seed", type=int, default=0, help="fonts: augmentation seed")

    def handle(self, *args, format, path, name, charset, variants, seed, **options):
        try:
            dataset = import_dataset(source_format=format, path=path, name=name,
                                     options=ImportOptions(charset=charset, variants=variants, seed=seed))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        counts = ", ".join(f"{split} {n:,}" for split, n in dataset.split_counts.items())
        self.stdout.write(self.style.SUCCESS(f"imported dataset {dataset.name!r} (id {dataset.pk})"))
        self.stdout.write(f"  {dataset.kind}, charset {dataset.charset}: {counts}")
        self.stdout.write(f"  stored at {dataset.storage_path}; preview {dataset.preview.name}")
        histogram = dataset.class_histogram.get("train") or next(iter(dataset.class_histogram.values()), {})
        self.stdout.write(f"  balance: {advice(balance_report(histogram))}")
        skipped = dataset.import_report.get("skipped_unreadable")
        if skipped:
            self.stdout.write(self.style.WARNING(f"  skipped {skipped} unreadable file(s)"))
