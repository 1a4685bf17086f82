"""Usefulness scores (CAS) from the web side: request one for a generator (a worker computes it).

The score trains small classifiers for minutes, so it is a background job with its
state in the ``UsefulnessScore`` row; the generator's pages read the latest success.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction

from generator_app import task_queue
from generator_app.models import GeneratorModel, UsefulnessScore
from generator_app.services.jobs import fail_job

logger = logging.getLogger(__name__)

CAS_CHARSETS = ("digits", "letters", "letters-cased", "alnum")  # charsets with a real test set
MAX_PER_CLASS = 5000
MAX_EPOCHS = 50


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
