"""Celery tasks: each one calls the worker code (``generator_app.worker``) and holds no logic of its own.

Arguments are ids; the rows hold the state, so a redelivered message is harmless. Only worker
processes import this module: the web side queues these tasks by name (``task_queue``), and
CELERY_TASK_ROUTES sends ``train_*`` to the ``gpu`` queue, ``generate_*`` to ``generate`` and
the rest to ``default``.
"""

import logging
import os
import socket

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from generator_app import task_queue

logger = logging.getLogger(__name__)


@shared_task(name=task_queue.PING, ignore_result=False)
def ping():
    """Prove a worker is alive and consuming: answers with who ran it."""
    return {"pong": True, "hostname": socket.gethostname(), "pid": os.getpid()}


# --- Training runs ---------------------------------------------------------------------------
# One attempt trains for hours: its own time limits replace the short-task defaults.
# acks_late + reject_on_worker_lost: a message is gone only once the attempt ended; the claim
# in execute_training_run makes a second delivery harmless.
@shared_task(
    name=task_queue.TRAIN_RUN,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.HANDGEN_TRAINING_SOFT_TIME_LIMIT,
    time_limit=settings.HANDGEN_TRAINING_TIME_LIMIT,
)
def train_run(self, run_id):
    """Train (or resume) one run; a run that is not queued is left alone."""
    from generator_app.worker.run_execution import execute_training_run

    return execute_training_run(run_id=run_id, worker=self.request.hostname or "", task_id=self.request.id or "")


@shared_task(
    name=task_queue.DOWNLOAD_DATASET,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.HANDGEN_DOWNLOAD_SOFT_TIME_LIMIT,
    time_limit=settings.HANDGEN_DOWNLOAD_TIME_LIMIT,
)
def download_dataset(download_id):
    """Fetch, verify and import a dataset release an admin asked for (a second delivery does nothing)."""
    from generator_app.worker.dataset_download import run_dataset_download

    return run_dataset_download(download_id=download_id)


@shared_task(name=task_queue.RECOVER_STALE_RUNS)
def recover_stale_runs():
    """Re-queue runs whose worker stopped beating, re-send queued runs whose message may be lost
    (celery beat calls this periodically)."""
    from generator_app.worker.run_recovery import recover_stale_runs as recover

    return recover()


# --- Sweeps ------------------------------------------------------------------------------------
# Short bookkeeping (ask/tell against Optuna's tables); the trials themselves are train_run.
@shared_task(name=task_queue.ADVANCE_SWEEP, acks_late=True)
def advance_sweep(sweep_id):
    """Tell Optuna how ended trials did and queue the next ones (idempotent)."""
    from generator_app.worker.sweep_advance import advance_sweep as advance

    return advance(sweep_id=sweep_id)


@shared_task(name=task_queue.ADVANCE_RUNNING_SWEEPS)
def advance_running_sweeps():
    """Advance every running sweep (celery beat calls this periodically)."""
    from generator_app.worker.sweep_advance import advance_running_sweeps as advance_all

    return advance_all()


@worker_ready.connect
def recover_stale_runs_at_worker_start(sender=None, **kwargs):
    """A worker that starts (often: replacing one that died) looks for runs left behind."""
    from django.db import connections

    from generator_app.worker.run_recovery import recover_stale_runs as recover

    try:
        report = recover()
        if report["requeued"] or report["failed"] or report["redispatched"]:
            logger.warning("worker start-up: stale runs re-queued %s, failed %s; queued runs sent again %s",
                           report["requeued"], report["failed"], report["redispatched"])  # fmt: skip
    except Exception:  # a database that is not there yet must not stop the worker
        logger.exception("worker start-up: stale-run check failed")
    finally:
        connections.close_all()  # pool children are forked from this process: no shared sockets


# --- Text generation ---------------------------------------------------------------------------
# Routed to the `generate` queue (its own workers, never behind a training run). Short limits:
# the soft one ends the request failed with a message; the sweep below catches the rest.
@shared_task(
    name=task_queue.GENERATE_TEXT,
    # The request row holds the state and the outcome: no STARTED/result rows in the
    # result backend, two database writes fewer per request.
    ignore_result=True,
    track_started=False,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.HANDGEN_GENERATION_SOFT_TIME_LIMIT,
    time_limit=settings.HANDGEN_GENERATION_TIME_LIMIT,
)
def generate_text(generation_id):
    """Draw one generation request; a request that is not pending is left alone."""
    from generator_app.worker.generation_run import run_generation

    return run_generation(generation_id=generation_id)


# --- Dataset exports and usefulness scores -------------------------------------------------------
@shared_task(
    name=task_queue.EXPORT_DATASET,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.HANDGEN_EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.HANDGEN_EXPORT_TIME_LIMIT,
)
def export_dataset(export_id):
    """Draw and write one dataset export; an export that is not pending is left alone."""
    from generator_app.worker.dataset_exports import run_export

    return run_export(export_id=export_id)


# ``train_*``: routed to the gpu queue with the training runs (it trains classifiers for minutes).
@shared_task(
    name=task_queue.TRAIN_USEFULNESS_SCORE,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.HANDGEN_USEFULNESS_SOFT_TIME_LIMIT,
    time_limit=settings.HANDGEN_USEFULNESS_TIME_LIMIT,
)
def train_usefulness_score(score_id):
    """Compute one usefulness score (CAS); a score that is not pending is left alone."""
    from generator_app.worker.usefulness import run_usefulness_score

    return run_usefulness_score(score_id=score_id)


@shared_task(name=task_queue.SWEEP_STALE_GENERATIONS)
def sweep_stale_generations():
    """Fail requests no worker will finish (celery beat calls this periodically)."""
    from generator_app.services.generation import fail_stale_generations

    return fail_stale_generations()


@shared_task(name=task_queue.FAIL_STALE_JOBS)
def fail_stale_jobs():
    """Fail hands, exports, downloads and sheets whose worker died (celery beat calls this periodically)."""
    from generator_app.worker.stale_jobs import fail_stale_jobs as fail_stale

    return fail_stale()


@shared_task(name=task_queue.GENERATE_WARM_UP, ignore_result=True, expires=600)
def generate_warm_up():
    """Load the default generators into a generation worker before the first user needs them."""
    from generator_app.worker.generation_run import warm_up_generators

    try:
        return warm_up_generators()
    except Exception:  # nothing to warm (no database yet, a broken file): the first request reports it
        logger.warning("generation warm-up skipped", exc_info=True)
        return []


@worker_ready.connect
def warm_up_generation_worker(sender=None, **kwargs):
    """A worker that consumes the ``generate`` queue asks for one warm-up per pool process as it
    starts (a process busy loading does not take the next one, so each gets its own)."""
    try:
        queues = set(sender.app.amqp.queues.consume_from or ())
    except AttributeError:
        return
    if "generate" in queues:
        processes = getattr(getattr(sender, "controller", None), "concurrency", 1) or 1
        try:
            for _ in range(processes):
                generate_warm_up.apply_async()
        except Exception:  # a broker hiccup only costs the first request its load time
            logger.exception("could not queue the generation warm-up")


# --- A user's own hand -------------------------------------------------------------------------
@shared_task(name=task_queue.EXTRACT_HAND_SHEET, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=settings.HANDGEN_SHEET_SOFT_TIME_LIMIT, time_limit=settings.HANDGEN_SHEET_TIME_LIMIT)
def extract_hand_sheet(sheet_id):
    """Read the boxes of one uploaded template photo; a sheet that is not pending is left alone."""
    from generator_app.worker.hand_extraction import read_sheet

    return read_sheet(sheet_id=sheet_id)


# Named train_* so it is routed to the training queue: minutes of CPU, never on the generate queue.
@shared_task(name=task_queue.TRAIN_HAND, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=settings.HANDGEN_HAND_SOFT_TIME_LIMIT, time_limit=settings.HANDGEN_HAND_TIME_LIMIT)
def train_hand(hand_id):
    """Adapt the default generators to one hand's glyphs; a hand that is not queued is left alone."""
    from generator_app.worker.hand_learning import learn_hand

    return learn_hand(hand_id=hand_id)
