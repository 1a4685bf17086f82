"""Trained generators that serve generation requests, one default per charset."""

from django.db import models

from .training_run import TrainingRun
from .validators import validate_architecture_name, validate_charset_name, validate_number_map


class GeneratorModelQuerySet(models.QuerySet):
    def default_for(self, charset):
        """The generator that draws ``charset`` by default, or None."""
        return self.filter(charset=charset, is_default=True).first()


def generator_weights_path(instance, filename):
    return f"generators/{instance.name}/{filename}"


class GeneratorModel(models.Model):
    name = models.CharField(max_length=100, unique=True)
    run = models.ForeignKey(
        TrainingRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # a run that published a generator keeps its record
        related_name="generators",
        help_text="The run that trained it; empty for generators shipped with HandGen.",
    )
    charset = models.CharField(max_length=32, validators=[validate_charset_name])
    architecture = models.CharField(max_length=64, validators=[validate_architecture_name])
    weights = models.FileField(upload_to=generator_weights_path, max_length=300)
    weights_sha256 = models.CharField(max_length=64, blank=True)
    metrics_summary = models.JSONField(default=dict, blank=True, validators=[validate_number_map])
    model_card = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GeneratorModelQuerySet.as_manager()

    class Meta:
        ordering = ["charset", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["charset"],
                condition=models.Q(is_default=True),
                name="generator_one_default_per_charset",
            ),
            models.CheckConstraint(condition=~models.Q(weights=""), name="generator_weights_set"),
        ]
        indexes = [models.Index(fields=["charset", "-created_at"], name="generator_charset_idx")]

    def __str__(self):
        return f"{self.name} ({self.charset})"

    @property
    def is_pretrained(self):
        """Shipped with HandGen: no run, or only the imported record of its training elsewhere."""
        return self.run_id is None or bool(self.run.imported_from)
