"""Fetching a dataset release in the worker (the ``download_dataset`` task), then importing it.

Files are fetched and verified with ``ml.data.download`` into ``HANDGEN_DOWNLOAD_DIR`` and
imported read in place; the admin page's progress bar reads ``bytes_done``.
"""

import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from generator_app.models import DatasetDownload, DatasetRelease, DownloadStatus
from generator_app.services.dataset_autoimport import registered_from
from generator_app.services.datasets import import_dataset

logger = logging.getLogger(__name__)

# The Dataset format each release is imported as.
IMPORT_FORMAT = {DatasetRelease.MNIST: "mnist", DatasetRelease.EMNIST_LETTERS: "emnist-letters"}
PROGRESS_WRITE_SECONDS = 0.5  # the page polls once a second; more writes would only cost


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
    except SoftTimeLimitExceeded:
        _fail(download_id, f"The download took longer than {settings.HANDGEN_DOWNLOAD_SOFT_TIME_LIMIT} seconds "
                           "and was stopped; start it again (verified files are kept).")
        return DownloadStatus.FAILED.value
    except Exception as error:  # noqa: BLE001  (a row left running would block the release)
        logger.exception("dataset download %s failed", download_id)
        _fail(download_id, f"The download failed ({type(error).__name__}: {error}).")
        return DownloadStatus.FAILED.value
    DatasetDownload.objects.filter(pk=download_id).update(
        status=DownloadStatus.SUCCEEDED, dataset=dataset, finished_at=timezone.now(), updated_at=timezone.now())
    return DownloadStatus.SUCCEEDED.value
