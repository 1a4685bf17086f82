"""The per-epoch pruning check of a sweep's trial, called by the worker's run sink.

After each epoch is stored, the trial reports the epoch's objective to its Optuna trial
(``trial.report``: Optuna keeps every trial's curve, which the pruners compare) and asks
``should_prune``. A pruned run is marked ``pruned`` with the figures that decided it, in
the same conditional way a cancel is, and the sink's ``should_stop`` then stops the
trainer at its next poll: the run ends at the epoch it was pruned at, its checkpoint and
records kept. A trial is never pruned at its last epoch: there is no training left to
save, and its result should count as a completed trial's.
"""

import logging

from django.utils import timezone

from generator_app.models import RunStatus, Sweep, TrainingRun
from generator_app.models.sweep_objectives import objective_value

from .sweep_study import load_study, prune_reason

logger = logging.getLogger(__name__)


class TrialPruning:
    """``hook(epoch, losses, metrics)`` for one attempt of one trial run."""

    def __init__(self, *, run):
        self.run_id = run.pk
        self.attempt = run.attempts
        self.trial_id = run.optuna_trial_id
        self.last_epoch = run.epochs_total
        self.sweep = Sweep.objects.get(pk=run.sweep_id)
        self._study = None

    def _trial(self):
        import optuna

        if self._study is None:
            self._study = load_study(self.sweep)
        return optuna.trial.Trial(self._study, self.trial_id)

    def __call__(self, epoch, losses, metrics):
        """Report the epoch; mark the run pruned and return the reason when the pruner says so."""
        value = objective_value(self.sweep.objective, losses=losses, metrics=metrics)
        if value is None or self.trial_id is None:
            return None
        try:
            trial = self._trial()
            trial.report(value, epoch)
            if epoch >= self.last_epoch or not trial.should_prune():
                return None
            reason = prune_reason(sweep=self.sweep, study=self._study, epoch=epoch, value=value)
        except Exception:  # Optuna unreachable, or the trial already told: train on, never fail the run
            logger.exception("run %s: reporting epoch %s to its sweep failed", self.run_id, epoch)
            return None
        now = timezone.now()
        marked = TrainingRun.objects.filter(pk=self.run_id, attempts=self.attempt, status=RunStatus.RUNNING).update(
            status=RunStatus.PRUNED, pruned_reason=reason[:5000], finished_at=now, updated_at=now
        )
        if marked:
            logger.info("run %s pruned at epoch %s: %s", self.run_id, epoch, reason)
        return reason if marked else None


def trial_pruning_hook(run):
    """The sink's epoch hook for a sweep's trial; None for an ordinary run."""
    return TrialPruning(run=run) if run.sweep_id else None
