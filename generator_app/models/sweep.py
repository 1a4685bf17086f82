"""A hyperparameter sweep: a base config, a search space and an objective, searched by Optuna.

Each trial is an ordinary ``TrainingRun`` (``run.sweep``, ``run.trial_number``), so it is
queued, trained, recovered and shown like any run. Optuna keeps the study (its trials'
parameters, reported values and states) in its own tables of the same database, under
``study_name``; this row keeps what the admin asked for and the sweep's own state, so a
worker or beat restart loses nothing.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .choices import WorkQueue
from .dataset import Dataset
from .sweep_objectives import OBJECTIVES
from .sweep_space import SearchSpaceError, parse_search_space
from .validators import MAX_SEED, validate_architecture_name, validate_json_object


class SweepStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


SWEEP_TERMINAL_STATUSES = (SweepStatus.FINISHED, SweepStatus.CANCELLED, SweepStatus.FAILED)


class Direction(models.TextChoices):
    MAXIMIZE = "maximize", "Maximize"
    MINIMIZE = "minimize", "Minimize"


class SamplerKind(models.TextChoices):
    RANDOM = "random", "Random search"
    TPE = "tpe", "TPE (Bayesian)"
    GRID = "grid", "Grid (every combination of choices)"


class PrunerKind(models.TextChoices):
    NONE = "none", "No pruning"
    MEDIAN = "median", "Median (stop a trial worse than the median of completed ones at the same epoch)"
    SUCCESSIVE_HALVING = "successive_halving", "Successive halving"
    HYPERBAND = "hyperband", "Hyperband"


class Sweep(models.Model):
    name = models.CharField(max_length=120, blank=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="sweeps")
    architecture = models.CharField(max_length=64, validators=[validate_architecture_name])
    base_config = models.JSONField(
        default=dict, validators=[validate_json_object], help_text="The full trainer config every trial starts from."
    )
    search_space = models.JSONField(
        default=dict,
        validators=[validate_json_object],
        help_text='{"option": {"type": "float", "low": 1e-5, "high": 1e-3, "log": true}, ...}',
    )
    objective = models.CharField(max_length=64, help_text="Per-epoch metric the search optimises (see sweep_objectives).")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    sampler = models.CharField(max_length=16, choices=SamplerKind.choices, default=SamplerKind.TPE)
    sampler_seed = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(MAX_SEED)])
    pruner = models.CharField(max_length=24, choices=PrunerKind.choices, default=PrunerKind.MEDIAN)
    pruner_startup_trials = models.PositiveSmallIntegerField(
        default=2, help_text="Median pruner: completed trials needed before it prunes anything."
    )
    pruner_warmup_epochs = models.PositiveSmallIntegerField(
        default=0, help_text="Epochs every trial runs before it may be pruned."
    )
    n_trials = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(1000)])
    parallelism = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(64)],
        help_text="Trials queued at once; as many run together as there are free gpu workers.",
    )
    base_trial = models.BooleanField(
        default=True, help_text="Trial 0 trains the base config itself, so the leaderboard shows what the search gained."
    )
    queue = models.CharField(max_length=16, choices=WorkQueue.choices, default=WorkQueue.GPU)

    status = models.CharField(max_length=16, choices=SweepStatus.choices, default=SweepStatus.RUNNING)
    study_name = models.CharField(max_length=64, unique=True)
    optuna_version = models.CharField(max_length=32, blank=True)
    # A lease on the ask/tell bookkeeping: the worker finishing a trial, celery beat and a
    # starting worker may all advance the sweep at once; only the holder asks Optuna.
    advancing_until = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sweeps"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=SweepStatus.values), name="sweep_status_valid"),
            models.CheckConstraint(condition=models.Q(direction__in=Direction.values), name="sweep_direction_valid"),
            models.CheckConstraint(condition=models.Q(sampler__in=SamplerKind.values), name="sweep_sampler_valid"),
            models.CheckConstraint(condition=models.Q(pruner__in=PrunerKind.values), name="sweep_pruner_valid"),
            models.CheckConstraint(condition=models.Q(n_trials__gte=1), name="sweep_n_trials_positive"),
            models.CheckConstraint(condition=models.Q(parallelism__gte=1), name="sweep_parallelism_positive"),
            models.CheckConstraint(condition=models.Q(sampler_seed__lte=MAX_SEED), name="sweep_seed_in_range"),
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=SWEEP_TERMINAL_STATUSES, finished_at__isnull=False)
                    | (~models.Q(status__in=SWEEP_TERMINAL_STATUSES) & models.Q(finished_at__isnull=True))
                ),
                name="sweep_finished_at_iff_terminal",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SweepStatus.FAILED) | ~models.Q(error_message=""),
                name="sweep_failed_has_error_message",
            ),
        ]

    def __str__(self):
        label = self.name or f"{self.architecture}, {self.objective}"
        return f"Sweep {self.pk} ({label})" if self.pk else f"New sweep ({label})"

    def clean(self):
        errors = {}
        if self.objective not in OBJECTIVES:
            errors["objective"] = f"Unknown objective {self.objective!r}; choose one of {', '.join(OBJECTIVES)}."
        try:
            parse_search_space(self.search_space, grid=self.sampler == SamplerKind.GRID)
        except SearchSpaceError as error:
            errors["search_space"] = error.problems
        if self.status == SweepStatus.FAILED and not self.error_message.strip():
            errors["error_message"] = "A failed sweep needs the reason it failed."
        if errors:
            raise ValidationError(errors)

    @property
    def epochs_per_trial(self):
        return int(self.base_config.get("epochs", 0) or 0)

    @property
    def is_finished(self):
        return self.status in SWEEP_TERMINAL_STATUSES
