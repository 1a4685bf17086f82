"""What the ``train_run`` task does: claim the run, train it through the sink, record the outcome.

Safe to deliver twice: only a ``queued`` run is claimed, by one conditional UPDATE under a
row lock, so a second delivery of a running or finished run returns without touching
anything. The claim increments ``attempts``; that number is the attempt's lease (see
run_sink), so a worker presumed dead that wakes up again cannot overwrite its successor.

Keras and TensorFlow/JAX are imported only inside ``_train``, when a run trains.
"""

import logging
import os
import socket
import traceback

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generator_app.models import RunStatus, TrainingRun
from generator_app.services.run_files import remove_run_files, work_folder

from .run_publish import finish_succeeded_run
from .run_sink import DatabaseSink
from .sweep_advance import trial_ended
from .sweep_pruning import trial_pruning_hook

logger = logging.getLogger(__name__)

TRACEBACK_CHARS = 6000


def claim_run(*, run_id, worker="", task_id=""):
    """Move a queued run to running for this worker; return the run, or None when it is not ours to run."""
    now = timezone.now()
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().filter(pk=run_id, status=RunStatus.QUEUED).first()
        if run is None:
            return None
        run.status = RunStatus.RUNNING
        run.attempts += 1
        run.started_at = run.started_at or now
        run.finished_at = None
        run.heartbeat_at = now
        run.worker_host = (worker or socket.gethostname())[:200] + f" (pid {os.getpid()})"
        run.celery_task_id = task_id or ""
        run.error_message = ""
        run.error_details = ""
        run.full_clean(exclude=["datasets"])
        run.save()
    return run


def _skip_reason(run_id):
    status = TrainingRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    return "no such run (deleted?)" if status is None else f"the run is {status}"


def execute_training_run(*, run_id, worker="", task_id=""):
    """Train the run if it is waiting; return a small summary for the task result."""
    run = claim_run(run_id=run_id, worker=worker, task_id=task_id)
    if run is None:
        reason = _skip_reason(run_id)
        logger.info("train_run(%s): nothing to do, %s", run_id, reason)
        return {"run": run_id, "skipped": reason}
    if run.attempts == 1:
        # A first attempt owns no files yet: whatever sits in its folder is left from another
        # database's run with the same id, and resuming from it would be wrong.
        remove_run_files(run.pk)
    sink = DatabaseSink(run_id=run.pk, attempt=run.attempts, epoch_hook=trial_pruning_hook(run))
    sink.start_heartbeat()
    try:
        summary = _train(run, sink)
        outcome = _finish(run, sink, summary)
    except SoftTimeLimitExceeded:
        outcome = _fail(
            run, sink, f"Stopped by the time limit of {settings.HANDGEN_TRAINING_SOFT_TIME_LIMIT} s; "
            "resume it to continue from the last checkpoint.", ""
        )  # fmt: skip
    except Exception as error:  # the run must end failed with its reason, never stay running
        logger.exception("run %s failed", run.pk)
        message = f"{type(error).__name__}: {error}".strip()
        outcome = _fail(run, sink, message, traceback.format_exc()[-TRACEBACK_CHARS:])
    finally:
        sink.stop_heartbeat()
        _release(run, sink)
    writes = sink.epoch_write_seconds
    if writes:
        logger.info("run %s: the sink took %.1f ms per epoch on average (%d epochs)",
                    run.pk, 1000 * sum(writes) / len(writes), len(writes))  # fmt: skip
    if run.sweep_id and outcome != "lost":
        trial_ended(run=run)
    return {"run": run.pk, "attempt": run.attempts, "status": outcome}


def _train(run, sink):
    from ml.train.evaluation import default_epoch_evaluator
    from ml.train.loop import train

    config = run.hyperparameters
    evaluator = default_epoch_evaluator() if config.get("eval_images") else None
    return train(config, work_folder(run.pk), sink=sink, resume=True, evaluator=evaluator)


def _finish(run, sink, summary):
    if sink.lost:
        return "lost"
    if summary["status"] == "cancelled":  # cancelled or pruned: the row says which
        status = TrainingRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
        return status or "lost"
    return finish_succeeded_run(run=run, attempt=run.attempts, summary=summary)


def _fail(run, sink, message, details):
    """Mark this attempt's run failed (only while it is still ours and running)."""
    now = timezone.now()
    updated = TrainingRun.objects.filter(pk=run.pk, attempts=run.attempts, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED,
        error_message=message[:5000] or "failed without a message",
        error_details=details,
        finished_at=now,
        heartbeat_at=None,
        updated_at=now,
    )
    return "failed" if updated else "lost"


def _release(run, sink):
    """Clear the heartbeat: the worker no longer holds the run, so it may be resumed at once."""
    updates = {"heartbeat_at": None}
    if sink.steps_done is not None and not sink.lost:
        updates["steps_done"] = sink.steps_done
    TrainingRun.objects.filter(pk=run.pk, attempts=run.attempts).update(**updates)
