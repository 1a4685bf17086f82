"""How useful a generator's glyphs are as training data (CAS), computed on demand.

One row per request: the job trains three small classifiers (generated, real, real +
generated) and stores what it measured with its seed, config and package versions in
``result``; the generator's pages show the latest one that succeeded.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .choices import JOB_TERMINAL_STATUSES, JobStatus
from .generator_model import GeneratorModel
from .validators import validate_json_object


class UsefulnessScoreQuerySet(models.QuerySet):
    def latest_for(self, generator):
        """The newest succeeded score of ``generator``, or None."""
        return self.filter(generator=generator, status=JobStatus.SUCCEEDED).order_by("-finished_at").first()


class UsefulnessScore(models.Model):
    generator = models.ForeignKey(GeneratorModel, on_delete=models.CASCADE, related_name="usefulness_scores")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    config = models.JSONField(default=dict, blank=True, validators=[validate_json_object],
                              help_text="ml.metrics.cas.CasConfig: images per class, epochs, seed, classifier")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.FloatField(default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    error_message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True, validators=[validate_json_object],
                              help_text="rows (generated, real, real + generated), seed, versions, device")
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = UsefulnessScoreQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="usefulness_status_valid"),
            models.CheckConstraint(condition=models.Q(progress__gte=0.0, progress__lte=1.0),
                                   name="usefulness_progress_in_range"),
        ]  # fmt: skip

    def __str__(self):
        return f"usefulness of {self.generator.name} ({self.status})"

    @property
    def is_finished(self):
        return self.status in JOB_TERMINAL_STATUSES

    def row(self, name):
        return (self.result.get("rows") or {}).get(name) if isinstance(self.result, dict) else None
