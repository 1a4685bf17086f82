"""The claim and failure steps shared by background jobs that carry a ``JobStatus``.

Dataset exports and usefulness scores have the same life: pending, claimed by one worker
with a conditional update (so a redelivered message does nothing), then succeeded or
failed. A running job past its hard time limit is one whose worker died: it may be
claimed again, up to ``max_attempts`` times.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from generator_app.models import JobStatus

OPEN_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)


def claim_job(model, *, job_id, time_limit: float, max_attempts: int) -> bool:
    """Mark the job running if it is pending (or stale); False when another worker holds it."""
    now = timezone.now()
    stale = now - timedelta(seconds=time_limit + 30)
    return bool(model.objects.filter(
        Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING, started_at__lt=stale),
        pk=job_id, attempts__lt=max_attempts,
    ).update(status=JobStatus.RUNNING, started_at=now, progress=0.0, attempts=F("attempts") + 1))


def fail_job(model, *, job_id, message: str) -> bool:
    """End a pending or running job failed with ``message``; False when it had already ended."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id, status__in=OPEN_STATUSES).first()
        if job is None:
            return False
        job.status, job.error_message, job.finished_at = JobStatus.FAILED, message, timezone.now()
        job.save(update_fields=["status", "error_message", "finished_at"])
    return True
