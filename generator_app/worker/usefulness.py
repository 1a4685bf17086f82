"""Computing a usefulness score (CAS) in the worker (the ``train_usefulness_score`` task).

It trains small classifiers for minutes; the state is in the ``UsefulnessScore`` row, claimed
with one conditional update, so a second delivery does nothing.
"""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generator_app.models import JobStatus, UsefulnessScore
from generator_app.services.jobs import claim_job
from generator_app.services.usefulness import fail_usefulness_score

from .model_cache import generator_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def _claim(score_id) -> UsefulnessScore | None:
    claimed = claim_job(UsefulnessScore, job_id=score_id, time_limit=settings.HANDGEN_USEFULNESS_TIME_LIMIT,
                        max_attempts=MAX_ATTEMPTS)
    return UsefulnessScore.objects.select_related("generator").get(pk=score_id) if claimed else None


def run_usefulness_score(*, score_id) -> str:
    """Compute one score (the ``train_usefulness_score`` task); returns its final status."""
    score = _claim(score_id)
    if score is None:
        return UsefulnessScore.objects.filter(pk=score_id).values_list("status", flat=True).first() or "deleted"
    try:
        _compute_and_save(score)
        return JobStatus.SUCCEEDED
    except SoftTimeLimitExceeded:
        fail_usefulness_score(score_id=score_id, message=f"The score took longer than "
                                                         f"{settings.HANDGEN_USEFULNESS_SOFT_TIME_LIMIT} s and was stopped.")
    except Exception as error:  # noqa: BLE001  (every failure must reach the user as a message)
        logger.exception("usefulness score %s failed", score_id)
        fail_usefulness_score(score_id=score_id, message=f"The score failed: {error}")
    return UsefulnessScore.objects.filter(pk=score_id).values_list("status", flat=True).first() or "deleted"


def _compute_and_save(score: UsefulnessScore) -> None:
    from ml.metrics.cas import score_generator
    from ml.metrics.cas_config import CasConfig

    def progress(done, total):
        UsefulnessScore.objects.filter(pk=score.pk, status=JobStatus.RUNNING).update(progress=round(done / total, 3))

    result = score_generator(score.generator.weights.path, CasConfig(**score.config), progress=progress,
                             generator=generator_for(score.generator))
    result["generator"] = {"name": score.generator.name, "sha256": score.generator.weights_sha256}
    with transaction.atomic():
        current = UsefulnessScore.objects.select_for_update().filter(pk=score.pk, status=JobStatus.RUNNING).first()
        if current is None:
            return
        current.result = result
        current.status, current.progress, current.finished_at = JobStatus.SUCCEEDED, 1.0, timezone.now()
        current.full_clean()
        current.save()
