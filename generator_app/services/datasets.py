"""Register a dataset (from a folder, a ZIP or the real MNIST/EMNIST files) and remove one.

All reading, validation and normalisation happens in ``ml.data`` before the
database is touched; the row, the stored arrays and the preview are then written
in one transaction, and any failure removes every file written, so a failed
import leaves nothing behind. Real datasets are read in place (their folder is
recorded, nothing is copied); fonts, notMNIST and a user's handwriting are
normalised once and stored under ``MEDIA_ROOT/datasets/<id>/`` for training.
"""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from generator_app.models import Dataset
from generator_app.models.choices import DatasetFormat
from ml.data.errors import DatasetError
from ml.data.importers import ImportOptions, read_source
from ml.data.preview import montage_png
from ml.data.stored import save_stored

IMPORTING = "(importing)"  # storage_path placeholder until the row has an id


def stored_datasets_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "datasets"


def project_relative(path) -> str:
    """A path as the model stores it: relative to the project when it lies inside or beside it."""
    path = Path(path).resolve()
    base = Path(settings.BASE_DIR).resolve()
    if path.is_relative_to(base):
        return str(path.relative_to(base))
    if path.is_relative_to(base.parent) and base.parent != base.parent.parent:
        return str(Path("..") / path.relative_to(base.parent))
    return str(path)


def dataset_root(dataset: Dataset) -> Path:
    """The absolute folder of a dataset on this host (``storage_path`` is project-relative or absolute)."""
    path = Path(dataset.storage_path)
    return path if path.is_absolute() else Path(os.path.normpath(Path(settings.BASE_DIR) / path))


def training_data_config(dataset: Dataset) -> dict:
    """``{"dataset": ml loader, "data_root": folder}``: the part of a training config naming the data.

    A stored dataset always trains from its own folder. A real dataset read in place uses
    its folder when this host has it, else ml's default data folder (``data_root`` None),
    so a worker host may keep the real files elsewhere.
    """
    if not dataset.training_loader:
        raise ValidationError(f"Dataset {dataset.name!r} was not imported, so no loader is known for it.")
    root = dataset_root(dataset)
    if not dataset.is_stored and not root.is_dir():
        return {"dataset": dataset.training_loader, "data_root": None}
    return {"dataset": dataset.training_loader, "data_root": str(root)}


def _unique_name(base: str) -> str:
    base = (base or "dataset")[:90]
    name, n = base, 2
    while Dataset.objects.filter(name=name).exists():
        name, n = f"{base} ({n})", n + 1
    return name


def import_dataset(*, source_format: str, path, name: str = "", options: ImportOptions | None = None,
                   source_label: str | None = None) -> Dataset:
    """Read ``path`` as ``source_format``, then create the Dataset row with its files.

    Raises ``ValidationError`` with a message naming the file and the problem; in
    that case no row and no file remains.
    """
    if source_format not in DatasetFormat.values:
        raise ValidationError(f"Unknown format {source_format!r}; valid: {', '.join(DatasetFormat.values)}.")
    name = (name or "").strip()
    if name and Dataset.objects.filter(name=name).exists():
        raise ValidationError({"name": f"A dataset named {name!r} already exists."})
    try:
        data = read_source(source_format, path, options=options or ImportOptions(), label=source_label)
    except DatasetError as exc:
        raise ValidationError(str(exc)) from None
    except ValueError as exc:  # bad options, e.g. an unknown charset for fonts
        raise ValidationError(str(exc)) from None
    train = data.splits.get("train")
    preview = montage_png(train if train is not None and len(train) else next(iter(data.splits.values())))
    dataset = Dataset(
        name=name or _unique_name(data.default_name),
        kind=data.kind,
        charset=data.charset.name,
        charset_spec=data.charset.to_dict(),
        source_format=source_format,
        storage_path=IMPORTING if data.stored else project_relative(path),
        file_sha256=dict(data.source_sha256),
        split_counts={split: len(d) for split, d in data.splits.items()},
        class_histogram={split: d.histogram() for split, d in data.splits.items()},
        import_report=data.report,
    )
    written: list[Path] = []
    try:
        with transaction.atomic():
            dataset.full_clean()
            dataset.save()
            if data.stored:
                folder = stored_datasets_root() / str(dataset.pk)
                if folder.exists():  # left by an import that crashed before cleaning up, with this id
                    shutil.rmtree(folder)
                written.append(folder)
                stored = save_stored(folder, data.splits, extra={"source_format": source_format,
                                                                 "source_sha256": data.source_sha256})
                dataset.storage_path = project_relative(folder)
                dataset.file_sha256 = {**data.source_sha256, **{f"stored/{k}": v for k, v in stored.items()}}
            dataset.preview.save("preview.png", ContentFile(preview), save=False)
            written.append(Path(dataset.preview.path))
            dataset.full_clean()
            dataset.save()
    except IntegrityError as exc:
        _remove(written)
        raise ValidationError(f"Could not register the dataset: {exc}") from None
    except BaseException:
        _remove(written)
        raise
    return dataset


def _remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def delete_dataset(*, dataset: Dataset) -> None:
    """Delete the row, then (once committed) its preview and, for stored datasets, its arrays.

    Real datasets read in place are never touched: only files this app wrote go.
    """
    files = []
    if dataset.preview:
        files.append(Path(dataset.preview.path))
    if dataset.is_stored and dataset.storage_path != IMPORTING:
        folder = dataset_root(dataset).resolve()
        if folder.parent == stored_datasets_root().resolve():  # never outside our own folder
            files.append(folder)
    with transaction.atomic():
        dataset.delete()
        transaction.on_commit(lambda: _remove(files))
