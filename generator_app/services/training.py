"""Admin-facing operations on training runs: start, cancel, resume, delete.

Each is one transaction; a run is sent to its Celery queue only after the transaction
commits (``on_commit``), so a worker never looks for a row it cannot see yet, and an
invalid run is never queued: ``start_training_run`` checks the options against ml's
schema before anything is stored, and that check is the only one on the web side (the
stored config is the run's record; later saves leave it as it is). A send that fails
(broker down) leaves the run queued for the worker's ``run_recovery`` to send again: the
row, not the message, is the record of what has to run.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generator_app import task_queue
from generator_app.models import RunStatus, TrainingRun, WorkQueue
from generator_app.models.choices import RUN_TERMINAL_STATUSES

from .run_config import build_training_config
from .run_files import remove_run_files

logger = logging.getLogger(__name__)


def enqueue_training_run(run):
    """Send ``train_run(run.pk)`` to the run's queue; the task id, or None when the broker refused.

    The caller has stamped ``dispatched_at`` already. This runs after the commit, so raising
    here would turn the admin's Save into a 500 for a run that is stored but would never be
    sent. Any error of the send is logged instead and ``dispatched_at`` is cleared:
    ``recover_stale_runs`` sends the run again at its next pass.
    """
    try:
        result = task_queue.send_task(task_queue.TRAIN_RUN, run.pk, queue=run.queue)
    except Exception:  # noqa: BLE001  (connection refused, timeout, ...: the run must not be lost)
        logger.exception("run %s: could not send train_run to queue %r; recovery will send it again", run.pk, run.queue)
        TrainingRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(dispatched_at=None)
        run.dispatched_at = None
        return None
    TrainingRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(celery_task_id=result.id)
    return result.id


@transaction.atomic
def start_training_run(*, dataset, architecture, options, queue=WorkQueue.GPU, name="", created_by=None, trial=None):
    """Create a queued run from the admin's choices and queue it once committed.

    ``options`` are the trainer options the admin set (epochs and seed included); the
    rest take the architecture's defaults. ``trial`` makes the run a sweep's trial
    (``sweep``, ``trial_number``, ``optuna_trial_id``, ``trial_params``). Raises
    ``ValidationError`` (nothing stored, nothing queued) for options ml rejects, one
    message per option under ``hyperparameters``.
    """
    from ml.train.config import ConfigError

    try:
        config = build_training_config(dataset=dataset, architecture=architecture, options=options)
    except ConfigError as error:
        raise ValidationError({"hyperparameters": list(error.errors.values())}) from None
    run = TrainingRun(
        name=name,
        architecture=architecture,
        hyperparameters=config,
        seed=config["seed"],
        epochs_total=config["epochs"],
        queue=queue,
        status=RunStatus.QUEUED,
        dispatched_at=timezone.now(),  # sent at the commit; recovery leaves it alone meanwhile
        created_by=created_by,
        **(trial or {}),
    )
    run.full_clean(exclude=["datasets"])
    run.save()
    run.datasets.set([dataset])
    transaction.on_commit(lambda: enqueue_training_run(run))
    return run


def _worker_still_holds(run):
    """True while the worker of a stopped run may still be finishing its epoch."""
    if run.heartbeat_at is None:
        return False
    return run.heartbeat_at > timezone.now() - timedelta(seconds=settings.HANDGEN_RUN_STALE_SECONDS)


@transaction.atomic
def cancel_run(*, run):
    """Stop a queued or running run. A running one stops within an epoch and keeps its
    metrics and checkpoints; returns False when the run had already ended."""
    now = timezone.now()
    updated = TrainingRun.objects.filter(pk=run.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.CANCELLED, finished_at=now, updated_at=now
    )
    run.refresh_from_db()
    return bool(updated)


@transaction.atomic
def resume_run(*, run):
    """Queue a cancelled or failed run again; the worker continues from its last checkpoint.

    Raises ``ValidationError`` for a run that cannot be resumed (yet).
    """
    run = TrainingRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in (RunStatus.CANCELLED, RunStatus.FAILED):
        raise ValidationError(f"Only cancelled or failed runs can be resumed; run {run.pk} is {run.status}.")
    if _worker_still_holds(run):
        raise ValidationError(f"Run {run.pk}'s worker is still stopping; try again in a few seconds.")
    run.status = RunStatus.QUEUED
    run.finished_at = None
    run.error_message = ""
    run.error_details = ""
    run.recoveries = 0
    run.dispatched_at = timezone.now()
    run.full_clean(exclude=["datasets"])
    run.save()
    transaction.on_commit(lambda: enqueue_training_run(run))
    return run


def delete_run(*, run):
    """Delete a run with its rows and its folder (checkpoints, sample grids, GIF).

    Refused while a worker may be writing to it (cancel first). A run that published a
    generator is protected by the database (the generator keeps its provenance).
    """
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.RUNNING or (run.status in RUN_TERMINAL_STATUSES and _worker_still_holds(run)):
            raise ValidationError(f"Run {run.pk} is still running; cancel it first.")
        run_id = run.pk
        run.delete()
        transaction.on_commit(lambda: remove_run_files(run_id))
    return run_id


def clone_options(run):
    """The form's initial values for a new run like ``run`` (clone with changes)."""
    config = dict(run.hyperparameters or {})
    for key in ("dataset", "data_root", "architecture"):
        config.pop(key, None)
    return {
        "name": f"{run.name or f'run {run.pk}'} (clone)"[:120],
        "dataset": run.datasets.first(),
        "architecture": run.architecture,
        "queue": run.queue,
        "options": config,
    }
