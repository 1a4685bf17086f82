"""A synthetic character set a user asked a generator to draw, and the file it became.

The request (generator, counts, seed, format) is stored before any work starts, so
the job that draws it needs nothing but this row's id, and the manifest written into
the file is copied here for the page and the API. The primary key is a random UUID:
download URLs cannot be guessed.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ml.export.plan import MAX_TOTAL_IMAGES as MAX_EXPORT_IMAGES  # numpy only: safe in the web process

from .choices import JOB_TERMINAL_STATUSES, ExportFormat, JobStatus
from .dataset import Dataset
from .generator_model import GeneratorModel
from .validators import validate_json_object

MAX_EXPORT_SEED = 2**32 - 1  # numpy's seed range, as ml.export.plan.check_seed accepts


def export_file_path(instance, filename):
    return f"exports/{instance.pk.hex}/{filename}"


class DatasetExport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dataset_exports")
    generator = models.ForeignKey(GeneratorModel, on_delete=models.CASCADE, related_name="exports")
    data_format = models.CharField(max_length=8, choices=ExportFormat.choices, default=ExportFormat.IDX)
    per_class = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPORT_IMAGES)],
        help_text="Images of every class; empty when the proportions come from a dataset.",
    )  # fmt: skip
    proportions_from = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Copy the class proportions of this dataset's training split.",
    )  # fmt: skip
    total_images = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPORT_IMAGES)])
    class_counts = models.JSONField(default=dict, blank=True, validators=[validate_json_object],
                                    help_text="{character: images}, fixed when the export is requested")
    seed = models.PositiveBigIntegerField(validators=[MaxValueValidator(MAX_EXPORT_SEED)])
    reject = models.BooleanField(default=False, help_text="Redraw glyphs the shipped evaluator reads wrongly.")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.FloatField(default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    error_message = models.TextField(blank=True)
    file = models.FileField(upload_to=export_file_path, blank=True, max_length=300)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    manifest = models.JSONField(default=dict, blank=True, validators=[validate_json_object])
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="export_status_valid"),
            models.CheckConstraint(condition=models.Q(data_format__in=ExportFormat.values),
                                   name="export_format_valid"),
            models.CheckConstraint(condition=models.Q(total_images__gte=1, total_images__lte=MAX_EXPORT_IMAGES),
                                   name="export_total_in_range"),
            models.CheckConstraint(condition=models.Q(progress__gte=0.0, progress__lte=1.0),
                                   name="export_progress_in_range"),
            models.CheckConstraint(
                condition=models.Q(per_class__isnull=True) | models.Q(proportions_from__isnull=True),
                name="export_one_way_to_count"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["owner", "-created_at"], name="export_owner_idx")]

    def __str__(self):
        return f"{self.generator.name}: {self.total_images:,} images ({self.data_format})"

    def clean(self):
        if self.per_class is not None and self.proportions_from_id is not None:
            raise ValidationError("Give images per class or a dataset to copy proportions from, not both.")
        if self.status == JobStatus.SUCCEEDED and not self.file:
            raise ValidationError("A finished export has a file.")

    @property
    def is_finished(self):
        return self.status in JOB_TERMINAL_STATUSES

    @property
    def download_name(self):
        return f"{self.generator.name}-{self.total_images}-seed{self.seed}-{self.data_format}.zip"
