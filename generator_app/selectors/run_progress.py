"""A run's progress as the admin page shows it (and polls as JSON while the run is active)."""

import statistics

from django.urls import reverse
from django.utils import timezone

from generator_app.models import EpochMetric, RunStatus, SampleGrid, TrainingRun

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


def _eta_seconds(run, epoch_seconds):
    """Remaining epochs x typical epoch time, less the part of the current epoch already done."""
    if run.status != RunStatus.RUNNING or not epoch_seconds:
        return None
    remaining_epochs = run.epochs_total - run.epochs_done
    if remaining_epochs <= 0:
        return 0.0
    per_epoch_steps = run.steps_total / run.epochs_total if run.steps_total else 0
    fraction_done = 0.0
    if per_epoch_steps:
        fraction_done = min(1.0, max(0.0, (run.steps_done - run.epochs_done * per_epoch_steps) / per_epoch_steps))
    return max(0.0, (remaining_epochs - fraction_done) * epoch_seconds)


def run_progress(*, run: TrainingRun) -> dict:
    """Plain JSON-ready dict: status, epoch/total, step/total, percent, speed, ETA, losses, latest grid."""
    metrics = list(
        EpochMetric.objects.filter(run=run).order_by("-epoch").values("epoch", "losses", "metrics", "duration_seconds")[:5]
    )
    latest = metrics[0] if metrics else None
    # The median of the recent epochs: the first epoch of an attempt includes compiling the
    # step and would otherwise inflate the estimate for the whole run.
    durations = [m["duration_seconds"] for m in metrics if m["duration_seconds"]]
    epoch_seconds = statistics.median(durations) if durations else None
    grid = SampleGrid.objects.filter(run=run).order_by("-epoch").values("pk", "epoch").first()
    if run.steps_total:
        percent = 100.0 * run.steps_done / run.steps_total
    else:
        percent = 100.0 * run.epochs_done / run.epochs_total if run.epochs_total else 0.0
    if run.status == RunStatus.SUCCEEDED:
        percent = 100.0
    heartbeat_age = (timezone.now() - run.heartbeat_at).total_seconds() if run.heartbeat_at else None
    latest_metrics = latest["metrics"] if latest else {}
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "active": run.status in ACTIVE,
        "epochs_done": run.epochs_done,
        "epochs_total": run.epochs_total,
        "steps_done": run.steps_done,
        "steps_total": run.steps_total,
        "percent": round(min(100.0, percent), 1),
        "images_per_second": latest_metrics.get("images_per_second") if latest else None,
        "eta_seconds": _eta_seconds(run, epoch_seconds),
        "latest_epoch": latest["epoch"] if latest else None,
        "losses": latest["losses"] if latest else {},
        "metrics": latest_metrics,
        "grid_url": reverse("sample_grid_image", args=[grid["pk"]]) if grid else None,
        "grid_epoch": grid["epoch"] if grid else None,
        "heartbeat_age_seconds": round(heartbeat_age, 1) if heartbeat_age is not None else None,
        "attempts": run.attempts,
        "worker_host": run.worker_host,
        "error_message": run.error_message,
    }
