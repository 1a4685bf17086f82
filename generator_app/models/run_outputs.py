"""What a run leaves behind per epoch: metric rows and sample grid images.

Both are unique per (run, epoch) so that a retried or resumed epoch replaces its row
instead of adding a second one.
"""

from django.core.exceptions import ValidationError
from django.db import models

from .training_run import TrainingRun
from .validators import validate_json_object, validate_number_map


class EpochMetric(models.Model):
    """Losses and quality metrics at the end of one epoch (epochs count from 1)."""

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="epoch_metrics")
    epoch = models.PositiveIntegerField()
    step = models.PositiveBigIntegerField(default=0, help_text="Global step at the end of the epoch.")
    losses = models.JSONField(default=dict, blank=True, validators=[validate_number_map])
    metrics = models.JSONField(default=dict, blank=True, validators=[validate_number_map])
    step_series = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_json_object],
        help_text='Per-step values inside the epoch: {"step": [...], "d_loss": [...], ...}',
    )
    duration_seconds = models.FloatField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "epoch"]
        constraints = [
            models.UniqueConstraint(fields=["run", "epoch"], name="metric_unique_run_epoch"),
            models.CheckConstraint(condition=models.Q(epoch__gte=1), name="metric_epoch_positive"),
            models.CheckConstraint(
                condition=models.Q(duration_seconds__isnull=True) | models.Q(duration_seconds__gte=0),
                name="metric_duration_non_negative",
            ),
        ]

    def __str__(self):
        return f"run {self.run_id} epoch {self.epoch}"

    def clean(self):
        if self.run_id and self.epoch and self.epoch > self.run.epochs_total:
            raise ValidationError({"epoch": f"The run plans only {self.run.epochs_total} epochs."})


def sample_grid_path(instance, filename):
    return f"runs/{instance.run_id}/samples/epoch-{instance.epoch:05d}.png"


class SampleGrid(models.Model):
    """The generator's output for the run's fixed noise batch after an epoch (0 = before training)."""

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="sample_grids")
    epoch = models.PositiveIntegerField()
    image = models.ImageField(upload_to=sample_grid_path)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "epoch"]
        constraints = [
            models.UniqueConstraint(fields=["run", "epoch"], name="samplegrid_unique_run_epoch"),
            models.CheckConstraint(condition=~models.Q(image=""), name="samplegrid_image_set"),
        ]

    def __str__(self):
        return f"samples of run {self.run_id} at epoch {self.epoch}"

    def clean(self):
        if self.run_id and self.epoch > self.run.epochs_total:
            raise ValidationError({"epoch": f"The run plans only {self.run.epochs_total} epochs."})
