"""The trainer's sink on the Django side: epoch rows, sample grids, progress and cancellation.

One sink serves one *attempt* of a run: the attempt number (``run.attempts`` when the
worker claimed it) is a lease. Every write is conditional on it, so a worker that lost
its run (presumed dead and re-queued, or the run was deleted) stops writing and stops
training instead of racing the worker that took over.

Cheap by design: ``on_steps`` only buffers in memory; a heartbeat thread writes
``heartbeat_at``/``steps_done`` every few seconds; ``should_stop`` reads two columns at
most a few times a second (and always once per epoch); each epoch is one transaction.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from generator_app.models import EpochMetric, RunStatus, SampleGrid, TrainingRun
from generator_app.services.run_metrics import json_number, split_epoch_metrics
from ml.train.sink import Sink

logger = logging.getLogger(__name__)

SERIES_KEYS = ("d_loss", "g_loss", "d_acc_real", "d_acc_fake", "g_grad_mean", "g_grad_std")
# Statuses in which the worker holding the lease may still write: a cancelled run keeps
# the epoch it was finishing; a pruned one the epoch it was pruned at.
WRITABLE = (RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.PRUNED)
STOPPED = (RunStatus.CANCELLED, RunStatus.PRUNED)
STOP_POLL_SECONDS = 0.25


class Heartbeat(threading.Thread):
    """Writes heartbeat_at (and the step counter) while the attempt runs, whatever the trainer does.

    A thread rather than the trainer's callbacks: an epoch end (evaluation, checkpoint) or a
    long stretch of steps between reports must not look like a dead worker.
    """

    def __init__(self, sink, interval):
        super().__init__(name=f"run-{sink.run_id}-heartbeat", daemon=True)
        self.sink = sink
        self.interval = interval
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(self.interval):
                try:
                    self.sink.beat()
                except Exception:  # a database hiccup must not kill the beat for good
                    logger.exception("heartbeat of run %s failed", self.sink.run_id)
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self.stopped.set()
        self.join(timeout=self.interval + 30)


class DatabaseSink(Sink):
    def __init__(self, *, run_id, attempt, epoch_hook=None):
        """``epoch_hook(epoch, losses, metrics)`` runs after each stored epoch (a sweep's
        pruning check); it marks the run stopped itself, and ``should_stop`` sees it."""
        self.run_id = run_id
        self.attempt = attempt
        self.epoch_hook = epoch_hook
        self.lost = False  # the lease is gone: stop training, write nothing more
        self.steps_done = None
        self.steps_per_epoch = None
        self.info = {}
        self._series = {}
        self._last_poll = 0.0
        self._poll_now = True
        self._heartbeat = None
        self.epoch_write_seconds = []  # what each epoch's transaction cost (the sink's overhead)

    # --- lease -------------------------------------------------------------------------
    def _mine(self):
        return TrainingRun.objects.filter(pk=self.run_id, attempts=self.attempt)

    def beat(self):
        updates = {"heartbeat_at": timezone.now()}
        if self.steps_done is not None:
            updates["steps_done"] = self.steps_done
        if not self._mine().filter(status__in=WRITABLE).update(**updates):
            self.lost = True

    def start_heartbeat(self, interval=None):
        self._heartbeat = Heartbeat(self, interval or settings.HANDGEN_RUN_HEARTBEAT_SECONDS)
        self._heartbeat.start()

    def stop_heartbeat(self):
        if self._heartbeat is not None:
            self._heartbeat.stop()
            self._heartbeat = None

    # --- trainer callbacks ---------------------------------------------------------------
    def on_start(self, info):
        self.info = info
        start = info["start_epoch"]
        self.steps_per_epoch = info["steps_per_epoch"]
        self.steps_done = (start - 1) * self.steps_per_epoch
        with transaction.atomic():
            run = self._mine().select_for_update().filter(status__in=WRITABLE).first()
            if run is None:
                self.lost = True
                return
            # Epochs the resumed trainer will redo were recorded without a checkpoint: drop
            # them now so that the run never shows an epoch twice or one from a lost future.
            EpochMetric.objects.filter(run=run, epoch__gte=start).delete()
            for grid in SampleGrid.objects.filter(run=run, epoch__gte=start):
                grid.image.delete(save=False)
                grid.delete()
            versions = info.get("versions") or {}
            self._mine().update(
                device=str(info.get("device", ""))[:255],
                backend=str(info.get("backend", ""))[:32],
                code_version=str(info.get("git_commit", ""))[:64],
                package_versions=versions if isinstance(versions, dict) else {},
                epochs_done=start - 1,
                steps_total=info["epochs"] * self.steps_per_epoch,
                steps_done=self.steps_done,
                heartbeat_at=timezone.now(),
                updated_at=timezone.now(),
            )

    def on_steps(self, epoch, step, global_step, metrics):
        self.steps_done = global_step
        series = self._series
        series.setdefault("step", []).append(global_step)
        for key in SERIES_KEYS:
            series.setdefault(key, []).append(json_number(metrics.get(key)))

    def on_epoch(self, epoch, metrics, grid_png):
        started = time.perf_counter()
        series, self._series = self._series, {}
        global_step = epoch * self.steps_per_epoch if self.steps_per_epoch else self.steps_done or 0
        self.steps_done = global_step
        losses, numbers = split_epoch_metrics(metrics)
        now = timezone.now()
        with transaction.atomic():
            run = self._mine().select_for_update().filter(status__in=WRITABLE).first()
            if run is None:
                self.lost = True
                return
            row = EpochMetric.objects.filter(run=run, epoch=epoch).first() or EpochMetric(run=run, epoch=epoch)
            row.step = global_step
            row.losses = losses
            row.metrics = numbers
            row.step_series = series
            row.duration_seconds = max(0.0, json_number(metrics.get("epoch_seconds")) or 0.0)
            # Fields and clean() are checked here; uniqueness and the check constraints are
            # left to the database (one query each otherwise, on every epoch).
            row.full_clean(validate_unique=False, validate_constraints=False)
            row.save()
            grid = SampleGrid.objects.filter(run=run, epoch=epoch).first() or SampleGrid(run=run, epoch=epoch)
            if grid.image:
                grid.image.delete(save=False)  # a retried epoch replaces its picture
            grid.image.save(f"epoch-{epoch:05d}.png", ContentFile(grid_png), save=False)
            grid.full_clean(validate_unique=False, validate_constraints=False)
            grid.save()
            self._mine().update(
                epochs_done=epoch, steps_done=global_step, heartbeat_at=now, updated_at=now
            )
        self._poll_now = True  # look at the database once in every epoch, however short
        self.epoch_write_seconds.append(time.perf_counter() - started)
        if self.epoch_hook is not None:
            self.epoch_hook(epoch, losses, numbers)

    def should_stop(self):
        if self.lost:
            return True
        now = time.monotonic()
        if not self._poll_now and now - self._last_poll < STOP_POLL_SECONDS:
            return False
        self._poll_now, self._last_poll = False, now
        state = TrainingRun.objects.filter(pk=self.run_id).values_list("status", "attempts").first()
        if state is None or state[1] != self.attempt or state[0] not in WRITABLE:
            self.lost = True
            return True
        return state[0] in STOPPED
