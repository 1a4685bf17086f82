"""The end of a successful run: full evaluation, training GIF, published generator, ``succeeded``.

The slow parts (evaluation, GIF) happen before the one transaction that publishes the
generator and marks the run succeeded together, so a succeeded run always has its
generator and a crash in between leaves the run ``running`` for recovery to retry.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from generator_app.models import GeneratorModel, RunStatus, TrainingRun
from generator_app.models.generator_model import generator_weights_path
from generator_app.services.pretrained import file_sha256
from generator_app.services.run_metrics import json_number, json_safe

from .run_media import build_training_gif

logger = logging.getLogger(__name__)


def final_evaluation(*, run, generator_path, last_epoch_metrics):
    """The full evaluation of the exported generator (ml.metrics.report), or the last epoch's figures.

    Falls back, saying why in ``note``, when ml ships no evaluator for the charset (the
    fixture, a new charset) or the evaluation itself fails: the trained generator is kept
    either way.
    """
    from ml.metrics.report import evaluate_generator

    fallback = {"metrics": json_safe(last_epoch_metrics), "source": "last epoch"}
    try:
        result = evaluate_generator(generator_path, n=settings.HANDGEN_FINAL_EVAL_IMAGES, seed=run.seed)
    except LookupError as error:  # no shipped evaluator reads this charset
        return {**fallback, "note": str(error).strip("'\"")}
    except Exception as error:
        logger.exception("final evaluation of run %s failed", run.pk)
        return {**fallback, "note": f"full evaluation failed: {type(error).__name__}: {error}"}
    return {**json_safe(result), "source": "ml.metrics.report.evaluate_generator"}


def build_gif(run):
    """The training GIF; a GIF problem never fails a run."""
    try:
        build_training_gif(run)
    except Exception:
        logger.exception("training GIF of run %s failed", run.pk)


def _generator_charset(model_file, fallback):
    from ml.generator import read_metadata

    try:
        return read_metadata(model_file)["charset"]["name"]
    except (OSError, KeyError, ValueError, TypeError):
        return fallback


def _metrics_summary(evaluation):
    metrics = evaluation.get("metrics") if isinstance(evaluation.get("metrics"), dict) else {}
    return {key: json_number(value) for key, value in metrics.items() if isinstance(value, int | float)}


def _publish_generator(*, run, model_file, evaluation):
    name = f"run-{run.pk}-{run.architecture}"[:100]
    existing = GeneratorModel.objects.filter(name=name, run=run).first()
    if existing is not None:  # published by an earlier attempt that died before finishing
        return existing
    dataset = run.datasets.first()
    generator = GeneratorModel(
        name=name,
        run=run,
        charset=_generator_charset(model_file, dataset.charset if dataset else ""),
        architecture=run.architecture,
        weights_sha256=file_sha256(model_file),
        metrics_summary=_metrics_summary(evaluation),
        model_card=(
            f"Trained by training run {run.pk} ({run.name or run.architecture}) on "
            f"{dataset.name if dataset else 'the fixture set'}: {run.epochs_total} epochs, seed {run.seed}, "
            f"{run.backend} on {run.device}, code {run.code_version or 'unknown'}."
        ),
        is_default=False,
    )
    target = generator_weights_path(generator, "model.keras")
    storage = generator.weights.storage
    if storage.exists(target) and not GeneratorModel.objects.filter(weights=target).exists():
        storage.delete(target)  # orphaned (its row is gone): take the name rather than a suffixed one
    with open(model_file, "rb") as handle:
        generator.weights.save("model.keras", File(handle), save=False)
    generator.full_clean()
    generator.save()
    return generator


def finish_succeeded_run(*, run, attempt, summary):
    """Evaluate, build the GIF, publish, mark succeeded; returns the run's final status word."""
    model_file = Path(summary["generator"]) / "model.keras"
    evaluation = final_evaluation(
        run=run, generator_path=model_file, last_epoch_metrics=summary.get("last_epoch_metrics") or {}
    )
    build_gif(run)
    now = timezone.now()
    with transaction.atomic():
        current = TrainingRun.objects.select_for_update().filter(pk=run.pk, attempts=attempt).first()
        if current is None or current.status != RunStatus.RUNNING:
            # Cancelled after the last epoch's check (kept cancelled: it can be resumed to
            # publish), or taken over by another attempt.
            return current.status if current is not None else "lost"
        _publish_generator(run=current, model_file=model_file, evaluation=evaluation)
        TrainingRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            epochs_done=current.epochs_total,
            final_evaluation=evaluation,
            finished_at=now,
            heartbeat_at=None,  # the worker is done with it (the heartbeat thread only beats active runs)
            updated_at=now,
        )
    return RunStatus.SUCCEEDED.value
