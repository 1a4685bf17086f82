"""Reads behind the sweep page and API: leaderboard, objective curves, parameters vs objective, importance.

Everything comes from the runs' own rows (``TrainingRun``, ``EpochMetric``), not from
Optuna's tables: the page shows exactly what the run pages show, and the web process
never waits on Optuna's storage. Parameter importance is Optuna's default evaluator
(PED-ANOVA: no scikit-learn needed) run on an in-memory study built from those rows.
"""

import logging

from generator_app.models import EpochMetric, RunStatus, TrainingRun
from generator_app.models.choices import RUN_TERMINAL_STATUSES
from generator_app.models.sweep_objectives import OBJECTIVES, objective_value

logger = logging.getLogger(__name__)

MIN_TRIALS_FOR_IMPORTANCE = 2


def _curves(sweep):
    """{run id: {epoch: objective}} for every trial of the sweep (one query)."""
    curves = {}
    rows = EpochMetric.objects.filter(run__sweep=sweep).order_by("run_id", "epoch").values_list(
        "run_id", "epoch", "losses", "metrics"
    )
    for run_id, epoch, losses, metrics in rows:
        value = objective_value(sweep.objective, losses=losses, metrics=metrics)
        if value is not None:
            curves.setdefault(run_id, {})[epoch] = value
    return curves


def _better(sweep):
    return max if sweep.direction == "maximize" else min


def sweep_trials(*, sweep):
    """The leaderboard: one dict per trial, best result first (trials without one after, by number).

    ``result`` is the objective at the trial's last recorded epoch (what a finished trial's
    generator reached; where a pruned trial stopped), ``best`` the best epoch's.
    """
    curves = _curves(sweep)
    better = _better(sweep)
    runs = TrainingRun.objects.filter(sweep=sweep).order_by("trial_number")
    trials = []
    for run in runs:
        curve = curves.get(run.pk, {})
        last_epoch = max(curve) if curve else None
        trials.append({
            "run": run,
            "run_id": run.pk,
            "trial_number": run.trial_number,
            "status": run.status,
            "params": run.trial_params,
            "epochs_done": run.epochs_done,
            "epochs_total": run.epochs_total,
            "result": curve[last_epoch] if last_epoch is not None else None,
            "result_epoch": last_epoch,
            "best": better(curve.values()) if curve else None,
            "duration_seconds": run.duration.total_seconds() if run.duration is not None else None,
            "pruned_reason": run.pruned_reason,
            "is_base": sweep.base_trial and run.trial_number == 0,
        })  # fmt: skip
    sign = -1 if sweep.direction == "maximize" else 1
    trials.sort(key=lambda t: (t["result"] is None, sign * t["result"] if t["result"] is not None else 0,
                               t["trial_number"]))  # fmt: skip
    for rank, trial in enumerate(trials, start=1):
        trial["rank"] = rank if trial["result"] is not None else None
    return trials


def best_trial(*, sweep):
    """The succeeded trial with the best final objective, or None."""
    finished = [t for t in sweep_trials(sweep=sweep) if t["status"] == RunStatus.SUCCEEDED and t["result"] is not None]
    return finished[0]["run"] if finished else None


def objective_series(*, sweep):
    """uPlot columns: ``{"x": [epochs], "series": {"trial N": [value or None per epoch]}}``."""
    curves = _curves(sweep)
    numbers = dict(TrainingRun.objects.filter(sweep=sweep).values_list("pk", "trial_number"))
    epochs = list(range(1, max(sweep.epochs_per_trial, *(max(c) for c in curves.values()), 1) + 1)) if curves else []
    series = {}
    for run_id in sorted(curves, key=lambda pk: numbers.get(pk, 0)):
        curve = curves[run_id]
        series[f"trial {numbers.get(run_id)}"] = [curve.get(epoch) for epoch in epochs]
    return {"x": epochs, "series": series, "objective": sweep.objective, "label": OBJECTIVES[sweep.objective].label}


def _distributions(sweep):
    from generator_app.models.sweep_space import to_distributions

    return to_distributions(sweep.search_space)


def param_importances(*, sweep, trials=None):
    """{parameter: importance in [0, 1]} over trials with a result, or None with fewer than
    two of them or when every trial has the same value (nothing to attribute)."""
    import optuna

    trials = trials if trials is not None else sweep_trials(sweep=sweep)
    usable = [t for t in trials if t["result"] is not None and t["status"] in RUN_TERMINAL_STATUSES + (RunStatus.RUNNING,)]
    if len(usable) < MIN_TRIALS_FOR_IMPORTANCE or len({t["result"] for t in usable}) < 2:
        return None
    distributions = _distributions(sweep)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=sweep.direction)
    for trial in usable:
        params = {name: trial["params"].get(name) for name in distributions}
        if any(value is None for value in params.values()):
            continue
        try:
            study.add_trial(optuna.trial.create_trial(params=params, distributions=distributions, value=trial["result"]))
        except ValueError:  # a value outside today's space (should not happen): leave it out
            continue
    if len(study.trials) < MIN_TRIALS_FOR_IMPORTANCE:
        return None
    try:
        return dict(optuna.importance.get_param_importances(study))
    except (ValueError, RuntimeError):
        logger.warning("sweep %s: parameter importance failed", sweep.pk, exc_info=True)
        return None


def sweep_summary(*, sweep, trials=None):
    """Counts by status, the best trial's figures and the base trial's, for the page header and API."""
    trials = trials if trials is not None else sweep_trials(sweep=sweep)
    counts = {}
    for trial in trials:
        counts[trial["status"]] = counts.get(trial["status"], 0) + 1
    ranked = [t for t in trials if t["rank"] is not None and t["status"] == RunStatus.SUCCEEDED]
    base = next((t for t in trials if t["is_base"]), None)
    return {
        "counts": counts,
        "trials_created": len(trials),
        "best": ranked[0] if ranked else None,
        "base": base,
    }
