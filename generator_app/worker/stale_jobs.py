"""Fail background jobs whose worker died, so none stays queued or running forever.

Training runs have a heartbeat (run_recovery) and generations their own sweep; hands,
exports, downloads and sheets have neither, and their tasks only claim a row that is
waiting, so a redelivered message cannot rescue one left running. Past its task's hard
time limit plus HANDGEN_STALE_JOB_MARGIN no live worker can still hold it, so failing it is
safe. Every failure goes through the job's own failure path, which re-checks the status:
a job that finished meanwhile is left alone, and a second sweep changes nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from generator_app.models import DatasetExport, Hand, HandSheet, HandStatus, JobStatus, SheetStatus
from generator_app.services.dataset_download import fail_stale_downloads
from generator_app.services.dataset_exports import fail_export

from .hand_extraction import fail_stalled_sheet
from .hand_learning import fail_stalled_learning

logger = logging.getLogger(__name__)

STOPPED_MESSAGE = "The worker stopped before finishing; start it again."


def _before(now, seconds: float):
    return now - timedelta(seconds=seconds)


def fail_stale_jobs(*, now=None) -> dict[str, int]:
    """Fail every stale hand, export, download and sheet; return how many of each."""
    now = now or timezone.now()
    margin = settings.HANDGEN_STALE_JOB_MARGIN
    report = {"hands": 0, "exports": 0, "downloads": 0, "sheets": 0}

    # A learning hand's updated_at is set when a worker claims it; progress writes do not move it.
    hand_cutoff = _before(now, settings.HANDGEN_HAND_TIME_LIMIT + margin)
    for pk in Hand.objects.filter(status=HandStatus.LEARNING, updated_at__lt=hand_cutoff).values_list("pk", flat=True):
        report["hands"] += fail_stalled_learning(hand_id=pk, message=STOPPED_MESSAGE)

    export_cutoff = _before(now, settings.HANDGEN_EXPORT_TIME_LIMIT + margin)
    stale_exports = DatasetExport.objects.filter(status=JobStatus.RUNNING, started_at__lt=export_cutoff)
    for pk in stale_exports.values_list("pk", flat=True):
        report["exports"] += fail_export(export_id=pk, message=STOPPED_MESSAGE)

    report["downloads"] = fail_stale_downloads(now=now)

    # A sheet records no start time: one not read this long after its upload waited too long
    # for a worker, or its worker died.
    sheet_cutoff = _before(now, settings.HANDGEN_STALE_JOB_QUEUE_WAIT + settings.HANDGEN_SHEET_TIME_LIMIT + margin)
    stale_sheets = HandSheet.objects.filter(status__in=(SheetStatus.PENDING, SheetStatus.PROCESSING),
                                            created_at__lt=sheet_cutoff)
    for sheet in stale_sheets:
        report["sheets"] += fail_stalled_sheet(sheet=sheet, message=STOPPED_MESSAGE)

    if any(report.values()):
        logger.warning("stale jobs failed: %s", report)
    return report
