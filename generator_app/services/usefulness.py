"""Usefulness scores (CAS): request one for a generator, compute it in a worker.

The score trains small classifiers for minutes, so it is a background job with its
state in the ``UsefulnessScore`` row; the generator's pages read the latest success.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generator_app import task_queue
from generator_app.models import GeneratorModel, JobStatus, UsefulnessScore
from generator_app.services.jobs import claim_job, fail_job

logger = logging.getLogger(__name__)

CAS_CHARSETS = ("digits", "letters", "letters-cased", "alnum")  # charsets with a real test set
MAX_PER_CLASS = 5000
MAX_EPOCHS = 50
MAX_ATTEMPTS = 3


def default_config() -> dict:
    from ml.metrics.cas_config import CasConfig

    return asdict(CasConfig())


def request_usefulness_score(*, generator: GeneratorModel, requested_by=None, per_class: int | None = None,
                             epochs: int | None = None, seed: int = 0) -> UsefulnessScore:
    """Validate, save and queue a score; ValidationError (nothing saved) for a bad request."""
    if generator.charset not in CAS_CHARSETS:
        raise ValidationError({"generator": f"No real test set for charset {generator.charset!r}: "
                                            f"CAS is measured for {', '.join(CAS_CHARSETS)}."})
    config = default_config()
    for field, value, top in (("per_class", per_class, MAX_PER_CLASS), ("epochs", epochs, MAX_EPOCHS)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise ValidationError({field: f"{field} must be a whole number from 1 to {top}."})
        config[field] = value
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValidationError({"seed": "The seed must be a whole number from 0 to 2147483647."})
    config["seed"] = seed
    score = UsefulnessScore(generator=generator, requested_by=requested_by, config=config)
    score.full_clean()
    with transaction.atomic():
        score.save()
        transaction.on_commit(lambda: enqueue_usefulness_score(score_id=score.pk))
    return score


def enqueue_usefulness_score(*, score_id) -> None:
    try:
        task_queue.send_task(task_queue.TRAIN_USEFULNESS_SCORE, score_id)
    except Exception as error:  # noqa: BLE001
        logger.exception("could not queue usefulness score %s", score_id)
        fail_usefulness_score(score_id=score_id, message=f"The score could not be queued ({error}).")


def fail_usefulness_score(*, score_id, message: str) -> bool:
    return fail_job(UsefulnessScore, job_id=score_id, message=message)


def _claim(score_id) -> UsefulnessScore | None:
    claimed = claim_job(UsefulnessScore, job_id=score_id, time_limit=settings.HANDGEN_USEFULNESS_TIME_LIMIT,
                        max_attempts=MAX_ATTEMPTS)
    return UsefulnessScore.objects.select_related("generator").get(pk=score_id) if claimed else None


def run_usefulness_score(*, score_id) -> str:
    """Compute one score (the ``train_usefulness_score`` task); returns its final status."""
    from celery.exceptions import SoftTimeLimitExceeded

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
    from generator_app.services.glyphs import generator_for
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
