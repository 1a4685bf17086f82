"""Synthetic dataset exports: request one (validated, saved, queued), draw it in a worker, delete it.

Every limit is checked by ``ml.export.plan`` before the row exists, so a bad request
(0 images, 10^9 images, an unknown generator, a dataset missing a class) is a
ValidationError naming the field, never a failed job. The worker claims the row with
one conditional update, writes the ZIP under ``MEDIA_ROOT/exports/<id>/`` and
records the manifest, so a second delivery of the same message does nothing and a
retried export after a crash starts again from the request.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generator_app import task_queue
from generator_app.models import Dataset, DatasetExport, GeneratorModel, JobStatus
from generator_app.models.dataset_export import export_file_path
from generator_app.services.jobs import claim_job, fail_job
from ml.export import plan

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0  # progress writes while drawing: often enough for a page, rare for the database
MAX_ATTEMPTS = 3


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


def _claim(export_id) -> DatasetExport | None:
    """Take a pending export, or a running one whose worker died (past the hard time limit)."""
    claimed = claim_job(DatasetExport, job_id=export_id, time_limit=settings.HANDGEN_EXPORT_TIME_LIMIT,
                        max_attempts=MAX_ATTEMPTS)
    return DatasetExport.objects.select_related("generator", "proportions_from").get(pk=export_id) if claimed else None


def _progress_writer(export_id):
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS or done == total:
            last[0] = now
            # drawing is most of the work; writing the ZIP is the last 10 %
            DatasetExport.objects.filter(pk=export_id, status=JobStatus.RUNNING).update(
                progress=round(0.9 * done / max(total, 1), 3))

    return report


def run_export(*, export_id) -> str:
    """Draw and write one export (the ``export_dataset`` task); returns its final status."""
    from celery.exceptions import SoftTimeLimitExceeded

    export = _claim(export_id)
    if export is None:
        return DatasetExport.objects.filter(pk=export_id).values_list("status", flat=True).first() or "deleted"
    try:
        _draw_and_save(export)
        return JobStatus.SUCCEEDED
    except SoftTimeLimitExceeded:
        fail_export(export_id=export_id, message=f"The export took longer than "
                                                 f"{settings.HANDGEN_EXPORT_SOFT_TIME_LIMIT} seconds and was stopped.")
    except (ValidationError, ValueError, LookupError, FileNotFoundError) as error:
        fail_export(export_id=export_id, message=f"The export failed: {error}")
    except Exception as error:  # noqa: BLE001  (every failure must reach the user as a message)
        logger.exception("export %s failed", export_id)
        fail_export(export_id=export_id, message=f"The export failed: {error}")
    return DatasetExport.objects.filter(pk=export_id).values_list("status", flat=True).first() or "deleted"


def _draw_and_save(export: DatasetExport) -> None:
    from generator_app.services.glyphs import generator_for
    from ml.data.idx import sha256_of
    from ml.export.build import export_dataset

    name = export_file_path(export, export.download_name)
    target = Path(settings.MEDIA_ROOT) / name
    if target.parent.exists():  # a retried attempt: start from a clean folder
        for old in target.parent.iterdir():
            old.unlink()
    counts = export.class_counts
    manifest = export_dataset(
        export.generator.weights.path, target, fmt=export.data_format, seed=export.seed,
        per_class=export.per_class, histogram=None if export.per_class else counts,
        total=None if export.per_class else export.total_images,
        proportions_from=export.proportions_from.name if export.proportions_from else "",
        reject=export.reject, generator_name=export.generator.name,
        generator=generator_for(export.generator), progress=_progress_writer(export.pk))
    manifest.pop("draw_seconds", None)
    with transaction.atomic():
        current = DatasetExport.objects.select_for_update().filter(pk=export.pk, status=JobStatus.RUNNING).first()
        if current is None:  # deleted or failed meanwhile: the file must not outlive its row
            target.unlink(missing_ok=True)
            return
        current.file.name = name
        current.file_sha256 = sha256_of(target)
        current.file_size = target.stat().st_size
        current.manifest = manifest
        current.status, current.progress, current.finished_at = JobStatus.SUCCEEDED, 1.0, timezone.now()
        current.full_clean()
        current.save()


def delete_export(*, export: DatasetExport) -> None:
    """Delete the row, then (once committed) its file."""
    path = Path(export.file.path) if export.file else None
    with transaction.atomic():
        export.delete()
        if path is not None:
            transaction.on_commit(lambda: path.unlink(missing_ok=True))
