"""A training run: its configuration, where and how it ran, and how far it got.

State lives here, not in a worker: any worker can pick a run up again from its
``epochs_done`` and checkpoints, and ``heartbeat_at``/``attempts`` let a periodic check
re-queue a run whose worker died; ``dispatched_at`` lets it send a queued run's message
again when the broker lost it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from .choices import RUN_TERMINAL_STATUSES, RunStatus, WorkQueue
from .dataset import Dataset
from .hyperparameters import PINNED_KEYS, check_hyperparameters
from .validators import MAX_SEED, validate_architecture_name, validate_json_object


def training_gif_path(instance, filename):
    return f"runs/{instance.pk}/training.gif"


class TrainingRun(models.Model):
    name = models.CharField(max_length=120, blank=True, help_text="Optional label shown in lists.")
    datasets = models.ManyToManyField(Dataset, related_name="training_runs")
    architecture = models.CharField(max_length=64, validators=[validate_architecture_name])
    hyperparameters = models.JSONField(
        default=dict, blank=True, help_text="The full trainer config (ml.train.config), defaults filled in."
    )
    seed = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(MAX_SEED)])
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    queue = models.CharField(max_length=16, choices=WorkQueue.choices, default=WorkQueue.GPU)

    epochs_total = models.PositiveIntegerField(default=10)
    epochs_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveBigIntegerField(default=0, help_text="0 until the trainer knows it.")
    steps_done = models.PositiveBigIntegerField(default=0)

    # Where and with what it ran, recorded by the worker for reproducibility.
    worker_host = models.CharField(max_length=255, blank=True)
    device = models.CharField(max_length=255, blank=True)
    backend = models.CharField(max_length=32, blank=True, help_text="Keras backend")
    code_version = models.CharField(max_length=64, blank=True, help_text="git commit")
    package_versions = models.JSONField(default=dict, blank=True, validators=[validate_json_object])
    celery_task_id = models.CharField(max_length=255, blank=True)

    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker has started this run.")
    recoveries = models.PositiveSmallIntegerField(
        default=0,
        help_text="Automatic restarts after its worker stopped answering (a manual resume resets it).",
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When train_run was last sent for this run; empty while queued means the last send failed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    final_evaluation = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_json_object],
        help_text="Full evaluation at the end: metrics, per-class accuracy, confusion matrix, references.",
    )
    training_gif = models.FileField(
        upload_to=training_gif_path, blank=True, max_length=300, help_text="Sample grids across training, made once at the end."
    )

    imported_from = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the record of a run trained elsewhere came from (a shipped generator's card); "
        "empty for runs trained by this site's workers.",
    )

    error_message = models.TextField(blank=True)
    error_details = models.TextField(blank=True, help_text="Traceback summary of a failure.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_runs",
    )

    # A sweep's trial: which sweep, its Optuna trial (number in the study, storage id) and
    # the parameters Optuna chose; a pruned trial says why it was stopped.
    sweep = models.ForeignKey(
        "generator_app.Sweep", null=True, blank=True, on_delete=models.PROTECT, related_name="trials"
    )
    trial_number = models.PositiveIntegerField(null=True, blank=True)
    optuna_trial_id = models.PositiveBigIntegerField(null=True, blank=True)
    trial_params = models.JSONField(default=dict, blank=True, validators=[validate_json_object])
    pruned_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=RunStatus.values), name="run_status_valid"),
            models.CheckConstraint(condition=models.Q(queue__in=WorkQueue.values), name="run_queue_valid"),
            models.CheckConstraint(condition=models.Q(epochs_total__gte=1), name="run_epochs_total_positive"),
            models.CheckConstraint(
                condition=models.Q(epochs_done__lte=models.F("epochs_total")), name="run_epochs_done_le_total"
            ),
            models.CheckConstraint(
                condition=models.Q(steps_total=0) | models.Q(steps_done__lte=models.F("steps_total")),
                name="run_steps_done_le_total",
            ),
            models.CheckConstraint(condition=models.Q(seed__lte=MAX_SEED), name="run_seed_in_range"),
            # Finished exactly when in a terminal status (resuming clears finished_at).
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=RUN_TERMINAL_STATUSES, finished_at__isnull=False)
                    | (~models.Q(status__in=RUN_TERMINAL_STATUSES) & models.Q(finished_at__isnull=True))
                ),
                name="run_finished_at_iff_terminal",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RunStatus.RUNNING) | models.Q(started_at__isnull=False),
                name="run_running_has_started_at",
            ),
            # A failed run always says why.
            models.CheckConstraint(
                condition=~models.Q(status=RunStatus.FAILED) | ~models.Q(error_message=""),
                name="run_failed_has_error_message",
            ),
            # Only a sweep's trial is pruned, and it always says why.
            models.CheckConstraint(
                condition=~models.Q(status=RunStatus.PRUNED)
                | (~models.Q(pruned_reason="") & models.Q(sweep__isnull=False)),
                name="run_pruned_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(sweep__isnull=True) | models.Q(trial_number__isnull=False),
                name="run_trial_has_number",
            ),
            models.UniqueConstraint(fields=["sweep", "trial_number"], name="run_unique_trial_number"),
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="run_created_idx"),
            models.Index(fields=["status", "-created_at"], name="run_status_created_idx"),
            models.Index(fields=["architecture", "-created_at"], name="run_arch_created_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="run_status_heartbeat_idx"),
        ]

    def __str__(self):
        label = self.name or self.architecture
        return f"Run {self.pk} ({label})" if self.pk else f"New run ({label})"

    def clean(self):
        pinned = {key: getattr(self, field) for key, field in PINNED_KEYS.items()}
        pinned = {key: (None if value in ("", None) else value) for key, value in pinned.items()}
        check_hyperparameters(self.hyperparameters, pinned=pinned)
        for key, field in PINNED_KEYS.items():
            if pinned[key] is None and key in self.hyperparameters:
                setattr(self, field, self.hyperparameters[key])
        errors = {}
        if self.epochs_done > self.epochs_total:
            errors["epochs_done"] = f"Cannot exceed the {self.epochs_total} epochs planned."
        if self.steps_total and self.steps_done > self.steps_total:
            errors["steps_done"] = f"Cannot exceed the {self.steps_total} steps planned."
        if self.status == RunStatus.FAILED and not self.error_message.strip():
            errors["error_message"] = "A failed run needs the reason it failed."
        if self.status == RunStatus.PRUNED and not (self.sweep_id and self.pruned_reason.strip()):
            errors["pruned_reason"] = "Only a sweep's trial is pruned, and it needs the reason."
        if self.started_at and self.finished_at and self.finished_at < self.started_at:
            errors["finished_at"] = "Cannot be earlier than the start."
        if errors:
            raise ValidationError(errors)

    @property
    def is_finished(self):
        return self.status in RUN_TERMINAL_STATUSES

    @property
    def progress(self):
        """Fraction of epochs done, 0..1."""
        return self.epochs_done / self.epochs_total if self.epochs_total else 0.0

    @property
    def duration(self):
        """Wall time so far (running) or in total (finished); None before the start."""
        if not self.started_at:
            return None
        return (self.finished_at or timezone.now()) - self.started_at
