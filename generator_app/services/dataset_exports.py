"""Synthetic dataset exports from the web side: request one (validated, saved, queued), delete it.

Every limit is checked by ``ml.export.plan`` before the row exists, so a bad request
(0 images, 10^9 images, an unknown generator, a dataset missing a class) is a
ValidationError naming the field, never a failed job. A worker draws the export
(``generator_app.worker.dataset_exports``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from generator_app import task_queue
from generator_app.models import Dataset, DatasetExport, GeneratorModel
from generator_app.services.jobs import fail_job
from ml.export import plan

logger = logging.getLogger(__name__)


def _charset_of(generator: GeneratorModel):
    from ml.data.charset import Charset, get_charset
    from ml.generator import read_metadata

    try:
        return Charset.from_dict(read_metadata(generator.weights.path)["charset"])
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return get_charset(generator.charset)


def plan_counts(*, generator: GeneratorModel, per_class=None, total=None, proportions_from: Dataset | None = None):
    """{character: images} for a request, or ValidationError naming the field at fault."""
    charset = _charset_of(generator)
    try:
        if proportions_from is None:
            if per_class is None:
                raise ValidationError({"per_class": "Give the number of images per class, or a dataset to copy "
                                                    "class proportions from with a total."})
            counts = plan.uniform_counts(charset.n_classes, per_class)
        else:
            if per_class is not None:
                raise ValidationError({"per_class": "Give images per class or a dataset's proportions, not both."})
            if total is None:
                raise ValidationError({"total": "Copying a dataset's proportions needs the total number of images."})
            histogram = (proportions_from.class_histogram or {}).get("train") or {}
            try:
                counts = plan.proportional_counts(charset.classes, histogram, total, class_of=charset.class_of)
            except plan.ExportRequestError as error:
                raise ValidationError({"proportions_from": f"{proportions_from.name}: {error}"}) from None
    except plan.ExportRequestError as error:
        raise ValidationError({"total" if proportions_from is not None else "per_class": str(error)}) from None
    return {charset.char_of(i): int(n) for i, n in enumerate(counts)}


def request_export(*, owner, generator: GeneratorModel, data_format: str = "idx", seed: int = 0,
                   per_class: int | None = None, total: int | None = None,
                   proportions_from: Dataset | None = None, reject: bool = False) -> DatasetExport:
    """Validate, save and queue an export; raise ValidationError (nothing saved) for a bad request."""
    try:
        plan.check_format(data_format)
    except plan.ExportRequestError as error:
        raise ValidationError({"data_format": str(error)}) from None
    try:
        seed = plan.check_seed(seed)
    except plan.ExportRequestError as error:
        raise ValidationError({"seed": str(error)}) from None
    counts = plan_counts(generator=generator, per_class=per_class, total=total, proportions_from=proportions_from)
    if reject and generator.charset not in ("digits", "letters", "letters-cased", "alnum"):
        raise ValidationError({"reject": f"No shipped evaluator reads charset {generator.charset!r}."})
    export = DatasetExport(owner=owner, generator=generator, data_format=data_format, seed=seed,
                           per_class=per_class if proportions_from is None else None,
                           proportions_from=proportions_from, total_images=sum(counts.values()),
                           class_counts=counts, reject=bool(reject))
    export.full_clean()
    with transaction.atomic():
        export.save()
        transaction.on_commit(lambda: enqueue_export(export_id=export.pk))
    return export


def enqueue_export(*, export_id) -> None:
    try:
        task_queue.send_task(task_queue.EXPORT_DATASET, str(export_id))
    except Exception as error:  # noqa: BLE001  (any broker error: the user must hear about it)
        logger.exception("could not queue export %s", export_id)
        fail_export(export_id=export_id, message=f"The export could not be queued ({error}).")


def fail_export(*, export_id, message: str) -> bool:
    return fail_job(DatasetExport, job_id=export_id, message=message)


def delete_export(*, export: DatasetExport) -> None:
    """Delete the row, then (once committed) its file."""
    path = Path(export.file.path) if export.file else None
    with transaction.atomic():
        export.delete()
        if path is not None:
            transaction.on_commit(lambda: path.unlink(missing_ok=True))
