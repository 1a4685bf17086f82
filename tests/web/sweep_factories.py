"""A sweep with trials stored the way the worker stores them (runs, per-epoch metrics, generators).

Used by the sweep page tests and the browser test: the leaderboard's order and figures are known.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from generator_app.models import Dataset, EpochMetric, GeneratorModel, RunStatus, Sweep, TrainingRun

SPACE = {
    "g_optimizer.learning_rate": {"type": "float", "low": 1e-4, "high": 1e-2, "log": True},
    "aux_weight": {"type": "choice", "values": [0.0, 1.0]},
}
# trial number: (status, lr, aux, cond_acc per epoch)
TRIALS = {
    0: (RunStatus.SUCCEEDED, 2e-4, 1.0, [0.30, 0.50, 0.60]),
    1: (RunStatus.SUCCEEDED, 2e-3, 1.0, [0.50, 0.80, 0.90]),
    2: (RunStatus.PRUNED, 1e-4, 0.0, [0.10]),
    3: (RunStatus.SUCCEEDED, 5e-3, 0.0, [0.20, 0.30, 0.20]),
    4: (RunStatus.RUNNING, 1e-3, 1.0, []),
}


def make_sweep(**fields):
    dataset = Dataset.objects.create(name="mnist", kind="digits", charset="digits", storage_path="x")
    sweep = Sweep.objects.create(**{
        "name": "lr sweep", "dataset": dataset, "architecture": "cgan-strong", "base_config": {"epochs": 3},
        "search_space": SPACE, "objective": "cond_acc", "direction": "maximize", "n_trials": 5,
        "study_name": "handgen-sweep-test", "optuna_version": "5", **fields,
    })  # fmt: skip
    now = timezone.now()
    for number, (status, lr, aux, curve) in TRIALS.items():
        run = TrainingRun.objects.create(
            name=f"trial {number}", architecture="cgan-strong", epochs_total=3, epochs_done=len(curve), status=status,
            started_at=now - timedelta(minutes=5), heartbeat_at=now if status == RunStatus.RUNNING else None,
            finished_at=None if status == RunStatus.RUNNING else now, sweep=sweep, trial_number=number,
            trial_params={"g_optimizer.learning_rate": lr, "aux_weight": aux},
            pruned_reason="median pruner: at epoch 1 ..." if status == RunStatus.PRUNED else "",
        )  # fmt: skip
        for epoch, value in enumerate(curve, start=1):
            EpochMetric.objects.create(run=run, epoch=epoch, step=epoch, losses={"d_loss": 1.0},
                                       metrics={"cond_acc": value})  # fmt: skip
        if status == RunStatus.SUCCEEDED:
            generator = GeneratorModel(name=f"run-{run.pk}-cgan-strong", run=run, charset="digits",
                                       architecture="cgan-strong")  # fmt: skip
            generator.weights.save("model.keras", ContentFile(b"w"), save=True)
    return sweep
