"""Download a public dataset release for an admin, then register it like a local one: the web side.

A new admin with no dataset on disk gets one without a terminal: the admin page starts a
download (``start_dataset_download``), a worker fetches and verifies the files with
``ml.data.download`` into ``HANDGEN_DOWNLOAD_DIR`` (``var/datasets``) and imports them read in
place; the page's progress bar reads ``bytes_done``. Only an admin's click downloads
anything: no start-up or training ever does.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generator_app import task_queue
from generator_app.models import DatasetDownload, DatasetRelease, DownloadStatus

logger = logging.getLogger(__name__)


def enqueue_dataset_download(download):
    try:
        task_queue.send_task(task_queue.DOWNLOAD_DATASET, download.pk)
    except Exception:  # the broker is down: say so on the page instead of a 500
        logger.exception("could not queue dataset download %s", download.pk)
        DatasetDownload.objects.filter(pk=download.pk, status=DownloadStatus.QUEUED).update(
            status=DownloadStatus.FAILED, error_message="The task broker could not be reached; try again.",
            finished_at=timezone.now())


def start_dataset_download(*, release: str, created_by=None) -> DatasetDownload:
    """Queue a download of ``release``; one already queued or running is returned instead.

    A stale one (its worker died, or its message was lost) is failed first, so it cannot
    block the release until the periodic sweep gets to it.
    """
    if release not in DatasetRelease.values:
        raise ValidationError({"release": f"Unknown release {release!r}; valid: {', '.join(DatasetRelease.values)}."})
    fail_stale_downloads(release=release)
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


STOPPED_MESSAGE = "The worker stopped before finishing this download; start it again."


def fail_stale_downloads(*, now=None, release=None) -> int:
    """Fail downloads no worker is going to finish; return how many.

    Running: ``updated_at`` (bumped at the claim and by every progress write) is older than
    the task's hard limit plus a margin, so the worker is dead. Queued: waited longer than
    HANDGEN_STALE_JOB_QUEUE_WAIT, so its message was lost. Each update re-checks the status
    and age, so a download that moved on meanwhile is left alone and a second call changes nothing.
    """
    now = now or timezone.now()
    rows = DatasetDownload.objects.all() if release is None else DatasetDownload.objects.filter(release=release)
    running_cutoff = now - timedelta(seconds=settings.HANDGEN_DOWNLOAD_TIME_LIMIT + settings.HANDGEN_STALE_JOB_MARGIN)
    queued_cutoff = now - timedelta(seconds=settings.HANDGEN_STALE_JOB_QUEUE_WAIT)
    minutes = settings.HANDGEN_STALE_JOB_QUEUE_WAIT // 60
    failed = rows.filter(status=DownloadStatus.RUNNING, updated_at__lt=running_cutoff).update(
        status=DownloadStatus.FAILED, error_message=STOPPED_MESSAGE, finished_at=now, updated_at=now)
    failed += rows.filter(status=DownloadStatus.QUEUED, created_at__lt=queued_cutoff).update(
        status=DownloadStatus.FAILED, finished_at=now, updated_at=now,
        error_message=f"No worker started this download within {minutes} minutes; start it again.")
    return failed
