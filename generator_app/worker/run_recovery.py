"""Runs whose worker died: re-queue them to resume from their last checkpoint, or give up.

A worker killed mid-run (SIGKILL, out of memory, a lost host) cannot say so; its run just
stops beating. Celery beat calls ``recover_stale_runs`` every
``HANDGEN_RUN_RECOVERY_INTERVAL`` seconds and every worker calls it when it starts. A
``running`` run silent for ``HANDGEN_RUN_STALE_SECONDS`` goes back to ``queued`` (its
lease, ``attempts``, moves on when a worker claims it, so a worker that was only slow
stops writing) until it has been restarted ``HANDGEN_RUN_MAX_RECOVERIES`` times; then it
fails with the reason.

A ``queued`` run can be stranded too: its message lost with a broker that restarted
without persistence, or never sent because the broker was down at the commit. Nothing
reports that, so the same pass sends ``train_run`` again for a queued run last sent more
than ``HANDGEN_RUN_REDISPATCH_SECONDS`` ago (or whose send failed). A duplicate costs one
no-op claim (only a ``queued`` run is claimed); stamping ``dispatched_at`` keeps it to
one extra message per period for a run that is merely waiting behind a long training.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from generator_app.models import RunStatus, TrainingRun
from generator_app.services.training import enqueue_training_run

logger = logging.getLogger(__name__)


def _stale(cutoff):
    return Q(status=RunStatus.RUNNING) & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True))


def _unsent(cutoff):
    return Q(status=RunStatus.QUEUED) & (Q(dispatched_at__lt=cutoff) | Q(dispatched_at__isnull=True))


def redispatch_queued_runs(*, now=None):
    """Send ``train_run`` again for queued runs whose message may be lost; returns the ids sent.

    The conditional update of ``dispatched_at`` is the lock: when beat and a starting worker
    look at once, only one of them sends a given run.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.HANDGEN_RUN_REDISPATCH_SECONDS)
    sent = []
    waiting = TrainingRun.objects.filter(_unsent(cutoff)).order_by("created_at", "id")  # in the order queued
    for run in waiting:
        if not TrainingRun.objects.filter(_unsent(cutoff), pk=run.pk).update(dispatched_at=now):
            continue  # claimed, cancelled or sent by someone else meanwhile
        last = run.dispatched_at.isoformat(timespec="seconds") if run.dispatched_at else "never (send failed)"
        logger.info("run %s: queued, last sent %s; sending train_run again", run.pk, last)
        run.dispatched_at = now
        if enqueue_training_run(run) is not None:
            sent.append(run.pk)
    return sent


def recover_stale_runs(*, now=None):
    """Re-queue or fail every stale running run, then send again queued runs whose message may be
    lost; returns {"requeued": [ids], "failed": [ids], "redispatched": [ids]}."""
    now = now or timezone.now()
    stale_for = timedelta(seconds=settings.HANDGEN_RUN_STALE_SECONDS)
    cutoff = now - stale_for
    report = {"requeued": [], "failed": []}
    for run_id in TrainingRun.objects.filter(_stale(cutoff)).values_list("pk", flat=True):
        with transaction.atomic():
            run = TrainingRun.objects.select_for_update().filter(_stale(cutoff), pk=run_id).first()
            if run is None:  # it beat again, or someone else recovered it meanwhile
                continue
            last = run.heartbeat_at.isoformat(timespec="seconds") if run.heartbeat_at else "never"
            if run.recoveries >= settings.HANDGEN_RUN_MAX_RECOVERIES:
                run.status = RunStatus.FAILED
                run.finished_at = now
                run.error_message = (
                    # Every signed-in user reads this message: the worker's host stays in the log.
                    f"The worker stopped answering (last heartbeat {last}) "
                    f"and the run was already restarted {run.recoveries} times, the limit; "
                    "resume it by hand after fixing the cause."
                )
                report["failed"].append(run.pk)
            else:
                run.status = RunStatus.QUEUED
                run.recoveries += 1
                run.error_message = ""
                run.dispatched_at = now
                report["requeued"].append(run.pk)
                transaction.on_commit(lambda run=run: enqueue_training_run(run))
            run.heartbeat_at = None
            run.full_clean(exclude=["datasets"])
            run.save()
            logger.warning(
                "run %s: no heartbeat since %s (worker %s): %s",
                run.pk, last, run.worker_host, "re-queued" if run.status == RunStatus.QUEUED else "failed",
            )  # fmt: skip
    report["redispatched"] = redispatch_queued_runs(now=now)
    return report
