"""Register the real datasets found where the README says they live, so a fresh site can train.

A new admin should find MNIST and the EMNIST letters pool in the *New training run* form
without knowing the import command. ``start.sh`` calls this on every start: a folder is
imported once (reading it costs seconds), and a start with nothing new to import only looks
at the file system and the Dataset table.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from generator_app.models import Dataset
from ml.data.importers import IN_PLACE

from .datasets import dataset_root, import_dataset

# (format, folder under the data root), in the order they are imported. The case-merged
# pool is left out: the shipped letters generator and the page draw case-aware letters,
# and an admin can still import the merged view with `manage.py import_dataset emnist-pool`.
KNOWN_FOLDERS = (
    ("mnist", "mnist"),
    ("emnist-letters", "emnist-letters"),  # only when its image files are there too
    ("emnist-pool-cased", "emnist-letters-partial"),
)


@dataclass
class AutoImportReport:
    imported: list[str] = field(default_factory=list)  # names of the rows created
    present: list[str] = field(default_factory=list)  # already registered
    missing: list[str] = field(default_factory=list)  # "format: folder" with files absent
    errors: list[str] = field(default_factory=list)  # "format: reason"


def missing_files(source_format: str, folder: Path) -> list[str]:
    """The files ``source_format`` reads that ``folder`` lacks (all of them when it is absent)."""
    return [name for name in IN_PLACE[source_format][2] if not (folder / name).is_file()]


def registered_from(source_format: str, folder: Path) -> Dataset | None:
    """The row already imported from this folder in this format, if any."""
    folder = folder.resolve()
    for dataset in Dataset.objects.filter(source_format=source_format):
        if dataset_root(dataset).resolve() == folder:
            return dataset
    return None


def import_available_datasets(*, data_root, formats=KNOWN_FOLDERS) -> AutoImportReport:
    """Import every known real dataset under ``data_root`` that is complete and not yet registered.

    Idempotent: a folder already imported in a format is left alone (an admin's renaming or
    deletion of other rows is never undone). One bad folder does not stop the others; its
    reason is reported.
    """
    report = AutoImportReport()
    data_root = Path(data_root)
    for source_format, subfolder in formats:
        folder = data_root / subfolder
        absent = missing_files(source_format, folder)
        if absent:
            report.missing.append(f"{source_format}: {folder} lacks {', '.join(absent)}")
            continue
        existing = registered_from(source_format, folder)
        if existing is not None:
            report.present.append(existing.name)
            continue
        try:
            dataset = import_dataset(source_format=source_format, path=folder)
        except ValidationError as error:
            report.errors.append(f"{source_format}: {'; '.join(error.messages)}")
            continue
        report.imported.append(dataset.name)
    return report

