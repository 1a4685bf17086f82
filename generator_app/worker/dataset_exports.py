"""Drawing a dataset export in the worker (the ``export_dataset`` task).

The worker claims the row with one conditional update, writes the ZIP under
``MEDIA_ROOT/exports/<id>/`` and records the manifest, so a second delivery of the same
message does nothing and a retried export after a crash starts again from the request.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generator_app.models import DatasetExport, JobStatus
from generator_app.models.dataset_export import export_file_path
from generator_app.services.dataset_exports import fail_export
from generator_app.services.jobs import claim_job

from .model_cache import generator_for

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0  # progress writes while drawing: often enough for a page, rare for the database
MAX_ATTEMPTS = 3


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
