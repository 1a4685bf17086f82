"""Runs with plausible training records, as the trainer's sink stores them.

Used by the run browser tests, the page benchmark and for screenshots. The curves
follow the usual shape of a conditional GAN on MNIST (accuracy rising and saturating,
FID falling) with seeded noise; grid images morph from noise into glyphs over the
epochs so that the slider, the GIF and the comparison show something that changes.
"""

import io
import math
import random

import numpy as np
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from generator_app.models import EpochMetric, RunStatus, SampleGrid, TrainingRun
from generator_app.models.choices import RUN_TERMINAL_STATUSES
from ml.train.config import validate_config

DIGITS = "0123456789"


def grid_png(*, epoch, epochs, seed=0, classes=DIGITS, per_class=8, cell=28, pad=2):
    """A sample-grid PNG (one row per class) that sharpens from noise as ``epoch`` grows."""
    rng = np.random.default_rng(seed * 1000 + epoch)
    quality = 1 - math.exp(-3 * epoch / max(epochs, 1))
    font = ImageFont.load_default(size=22)
    rows, cols = len(classes), per_class
    canvas = np.zeros((rows * (cell + pad) + pad, cols * (cell + pad) + pad), np.float32)
    for r, char in enumerate(classes):
        for c in range(cols):
            glyph = Image.new("L", (cell, cell), 0)
            ImageDraw.Draw(glyph).text((7 + (c % 3) - 1, 1 + (c % 2)), char, fill=255, font=font)
            glyph = np.asarray(glyph, np.float32)
            noise = rng.random((cell, cell), np.float32) * 255
            y, x = pad + r * (cell + pad), pad + c * (cell + pad)
            canvas[y : y + cell, x : x + cell] = quality * glyph + (1 - quality) * noise * 0.7
    buffer = io.BytesIO()
    Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def epoch_record(epoch, *, epochs, seed=0, steps_per_epoch=100, log_every=10, quality=True, aux=True):
    """(losses, metrics, step_series, duration) for one epoch, shaped like the sink's."""
    rng = random.Random(seed * 7919 + epoch)
    t = epoch / max(epochs, 1)
    learn = 1 - math.exp(-4 * t)
    d_loss = 1.35 - 0.25 * learn + rng.gauss(0, 0.02)
    g_loss = 0.75 + 0.9 * learn + rng.gauss(0, 0.04)
    losses = {"d_loss": round(d_loss, 5), "g_loss": round(g_loss, 5)}
    if aux:
        losses |= {"d_aux_loss": round(2.3 * (1 - learn) + 0.05, 5), "g_aux_loss": round(2.2 * (1 - learn) + 0.08, 5)}
    metrics = {
        "d_acc_real": round(0.58 + 0.12 * learn + rng.gauss(0, 0.01), 5),
        "d_acc_fake": round(0.52 + 0.15 * learn + rng.gauss(0, 0.01), 5),
        "g_grad_mean": round(0.06 * (1 - 0.7 * learn) + rng.gauss(0, 0.002), 6),
        "g_grad_std": round(0.03 * (1 - 0.5 * learn) + rng.gauss(0, 0.001), 6),
        "images_per_second": round(2100 + rng.gauss(0, 40), 1),
        "epoch_seconds": round(28.5 + rng.gauss(0, 0.6), 3),
    }
    if quality:
        metrics |= {
            "cond_acc": round(0.1 + 0.87 * learn + rng.gauss(0, 0.004), 5),
            "cond_acc_min_class": round(0.02 + 0.86 * learn ** 1.4, 5),
            "is": round(1.3 + 8.0 * learn + rng.gauss(0, 0.05), 4),
            "bcis": round(1.2 + 8.4 * learn, 4),
            "wcis": round(1.6 - 0.55 * learn + rng.gauss(0, 0.01), 4),
            "fid": round(95 * (1 - learn) + 2.5 + abs(rng.gauss(0, 0.4)), 3),
        }
    start = (epoch - 1) * steps_per_epoch
    steps = list(range(start + log_every, start + steps_per_epoch + 1, log_every))
    step_series = {"step": steps}
    for key in ("d_loss", "g_loss"):
        step_series[key] = [round(losses[key] + rng.gauss(0, 0.08), 5) for _ in steps]
    for key in ("d_acc_real", "d_acc_fake", "g_grad_mean", "g_grad_std"):
        step_series[key] = [round(metrics[key] * (1 + rng.gauss(0, 0.05)), 6) for _ in steps]
    if aux:
        for key in ("d_aux_loss", "g_aux_loss"):
            step_series[key] = [round(losses[key] * (1 + rng.gauss(0, 0.05)), 5) for _ in steps]
    return losses, metrics, step_series, metrics["epoch_seconds"]


def make_run(
    *,
    epochs_done,
    epochs_total=None,
    status=RunStatus.SUCCEEDED,
    name="",
    architecture="cgan-strong",
    config=None,
    seed=0,
    datasets=(),
    grids=True,
    quality=True,
    steps_per_epoch=100,
    log_every=10,
    final_evaluation=None,
    user=None,
    trial=None,
):
    """A run in ``status`` with ``epochs_done`` epochs of metrics (and grids) saved; ``trial``
    makes it a sweep's trial (``sweep``, ``trial_number``, ``pruned_reason``...)."""
    epochs_total = epochs_total or max(epochs_done, 1)
    now = timezone.now()
    started = now - timezone.timedelta(seconds=30 * max(epochs_done, 1) + 5)
    finished = now if status in RUN_TERMINAL_STATUSES else None
    if status == RunStatus.QUEUED:
        started = None
    hyperparameters = {"architecture": architecture, "dataset": "mnist", "epochs": epochs_total, "seed": seed}
    hyperparameters = validate_config(hyperparameters | (config or {}))  # full, as start_training_run stores it
    run = TrainingRun(
        name=name, architecture=architecture, hyperparameters=hyperparameters, seed=seed, status=status,
        epochs_total=epochs_total, epochs_done=epochs_done, steps_total=epochs_total * steps_per_epoch,
        steps_done=epochs_done * steps_per_epoch, started_at=started, finished_at=finished,
        heartbeat_at=now if status == RunStatus.RUNNING else None,
        error_message="Worker lost: out of memory" if status == RunStatus.FAILED else "",
        backend="tensorflow" if status != RunStatus.QUEUED else "", device="CPU" if status != RunStatus.QUEUED else "",
        code_version="69640dd" if status != RunStatus.QUEUED else "", worker_host="worker-1",
        final_evaluation=final_evaluation or {}, created_by=user, **(trial or {}),
    )  # fmt: skip
    run.full_clean()
    run.save()
    run.datasets.add(*datasets)
    records = [epoch_record(e, epochs=epochs_total, seed=seed, steps_per_epoch=steps_per_epoch,
                            log_every=log_every, quality=quality, aux=architecture == "cgan-strong")
               for e in range(1, epochs_done + 1)]  # fmt: skip
    EpochMetric.objects.bulk_create(
        EpochMetric(run=run, epoch=e, step=e * steps_per_epoch, losses=losses, metrics=metrics,
                    step_series=series, duration_seconds=duration)
        for e, (losses, metrics, series, duration) in enumerate(records, start=1)
    )  # fmt: skip
    if grids:
        for epoch in range(1, epochs_done + 1):
            grid = SampleGrid(run=run, epoch=epoch)
            grid.image.save("grid.png", ContentFile(grid_png(epoch=epoch, epochs=epochs_total, seed=seed)), save=False)
            grid.save()
    return run


def final_evaluation(classes=DIGITS, *, seed=0):
    """A final evaluation in the shape the training task stores."""
    rng = random.Random(seed)
    n = len(classes)
    per_class = {c: round(min(1.0, 0.9 + rng.random() * 0.1), 4) for c in classes}
    per_class[classes[rng.randrange(n)]] = 0.86
    matrix = []
    for i, c in enumerate(classes):
        total = 1000
        right = round(per_class[c] * total)
        row = [0] * n
        row[i] = right
        for _ in range(total - right):
            row[rng.choice([j for j in range(n) if j != i])] += 1
        matrix.append(row)
    return {
        "n": 10000, "evaluator": "digits", "source": "ml.metrics.report.evaluate_generator",
        "metrics": {"cond_acc": 0.967, "cond_acc_min_class": 0.86, "is": 9.31, "is_std": 0.05, "bcis": 9.62,
                    "wcis": 1.04, "fid": 2.91,
                    "cond_acc_min_class_char": min(per_class, key=per_class.get)},
        "per_class_accuracy": per_class,
        "confusion_matrix": matrix,
        "classes": list(classes),
        "reference": {"cond_acc": 0.991, "is": 9.7, "fid": 0.8},
    }  # fmt: skip


def make_long_run(*, epochs=200, steps_per_epoch=200, log_every=10, name="long run", seed=0):
    """A finished run of ``epochs`` epochs with every metric and a grid row per epoch, made fast.

    Grid rows share one small image file (the pages only link to it); metrics are the
    plausible ones above, 10+ per epoch, with ``steps_per_epoch / log_every`` step points.
    """
    run = make_run(epochs_done=0, epochs_total=epochs, status=RunStatus.RUNNING, name=name, seed=seed, grids=False,
                   steps_per_epoch=steps_per_epoch)
    EpochMetric.objects.bulk_create(
        EpochMetric(run=run, epoch=e, step=e * steps_per_epoch, losses=losses, metrics=metrics,
                    step_series=series, duration_seconds=duration)
        for e in range(1, epochs + 1)
        for losses, metrics, series, duration in [epoch_record(e, epochs=epochs, seed=seed,
                                                               steps_per_epoch=steps_per_epoch, log_every=log_every)]
    )  # fmt: skip
    first = SampleGrid(run=run, epoch=1)
    first.image.save("grid.png", ContentFile(grid_png(epoch=1, epochs=epochs, per_class=2)), save=True)
    SampleGrid.objects.bulk_create(SampleGrid(run=run, epoch=e, image=first.image.name) for e in range(2, epochs + 1))
    TrainingRun.objects.filter(pk=run.pk).update(
        epochs_done=epochs, steps_done=epochs * steps_per_epoch, status=RunStatus.SUCCEEDED, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run
