"""Download a public dataset release for an admin, then register it like a local one.

A new admin with no dataset on disk gets one without a terminal: the admin page starts a
download (``start_dataset_download``), a worker fetches and verifies the files with
``ml.data.download`` into ``HANDGEN_DOWNLOAD_DIR`` (``var/datasets``) and imports them read in
place; the page's progress bar reads ``bytes_done``. Only an admin's click downloads
anything: no start-up or training ever does.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generator_app.models import DatasetDownload, DatasetRelease, DownloadStatus

from .dataset_autoimport import registered_from
from .datasets import import_dataset

logger = logging.getLogger(__name__)

# The Dataset format each release is imported as.
IMPORT_FORMAT = {DatasetRelease.MNIST: "mnist", DatasetRelease.EMNIST_LETTERS: "emnist-letters"}
PROGRESS_WRITE_SECONDS = 0.5  # the page polls once a second; more writes would only cost


def enqueue_dataset_download(download):
    from generator_app.tasks import download_dataset

    try:
        download_dataset.apply_async(args=[download.pk])
    except Exception:  # the broker is down: say so on the page instead of a 500
        logger.exception("could not queue dataset download %s", download.pk)
        DatasetDownload.objects.filter(pk=download.pk, status=DownloadStatus.QUEUED).update(
            status=DownloadStatus.FAILED, error_message="The task broker could not be reached; try again.",
            finished_at=timezone.now())


def start_dataset_download(*, release: str, created_by=None) -> DatasetDownload:
    """Queue a download of ``release``; one already queued or running is returned instead."""
    if release not in DatasetRelease.values:
        raise ValidationError({"release": f"Unknown release {release!r}; valid: {', '.join(DatasetRelease.values)}."})
    with transaction.atomic():
        active = DatasetDownload.objects.select_for_update().filter(
            release=release, status__in=(DownloadStatus.QUEUED, DownloadStatus.RUNNING)).first()
        if active is not None:
            return active
        download = DatasetDownload(release=release, created_by=created_by)
        download.full_clean()
        download.save()
        transaction.on_commit(lambda: enqueue_dataset_download(download))
    return download


class _ProgressWriter:
    """Writes bytes done/total to the row at most every PROGRESS_WRITE_SECONDS."""

    def __init__(self, download_id):
        self.download_id = download_id
        self.last = 0.0

    def __call__(self, done, total):
        now = time.monotonic()
        if now - self.last < PROGRESS_WRITE_SECONDS and not (total and done >= total):
            return
        self.last = now
        DatasetDownload.objects.filter(pk=self.download_id).update(
            bytes_done=done, bytes_total=total, updated_at=timezone.now())


def _fail(download_id, message):
    DatasetDownload.objects.filter(pk=download_id).update(
        status=DownloadStatus.FAILED, error_message=message[:2000] or "failed", finished_at=timezone.now(),
        updated_at=timezone.now())


def run_dataset_download(*, download_id: int, releases=None) -> str:
    """Fetch, verify and import one queued download; returns its final status.

    Claimed with one conditional update, so a second delivery of the task does nothing.
    Files already verified in the cache are not fetched again (a retry resumes). Every
    failure ends the row ``failed`` with the reason.
    """
    from ml.data.download import fetch_release
    from ml.data.errors import DatasetError

    claimed = DatasetDownload.objects.filter(pk=download_id, status=DownloadStatus.QUEUED).update(
        status=DownloadStatus.RUNNING, updated_at=timezone.now())
    if not claimed:
        return "not queued"
    download = DatasetDownload.objects.get(pk=download_id)
    try:
        folder = fetch_release(download.release, settings.HANDGEN_DOWNLOAD_DIR, progress=False, releases=releases,
                               on_progress=_ProgressWriter(download_id))
        source_format = IMPORT_FORMAT[download.release]
        dataset = registered_from(source_format, folder) or import_dataset(source_format=source_format, path=folder)
    except DatasetError as error:
        _fail(download_id, str(error))
        return DownloadStatus.FAILED.value
    except ValidationError as error:
        _fail(download_id, "Downloaded, but the import failed: " + "; ".join(error.messages))
        return DownloadStatus.FAILED.value
    except OSError as error:
        _fail(download_id, f"{type(error).__name__}: {error}")
        return DownloadStatus.FAILED.value
    DatasetDownload.objects.filter(pk=download_id).update(
        status=DownloadStatus.SUCCEEDED, dataset=dataset, finished_at=timezone.now(), updated_at=timezone.now())
    return DownloadStatus.SUCCEEDED.value
