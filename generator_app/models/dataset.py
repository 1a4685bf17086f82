"""Datasets a run can train on: where the files are and what they hold."""

from django.db import models

from .choices import DatasetKind
from .validators import (
    validate_charset_name,
    validate_class_histogram,
    validate_sha256_map,
    validate_split_counts,
)


class Dataset(models.Model):
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=DatasetKind.choices)
    charset = models.CharField(max_length=32, validators=[validate_charset_name])
    storage_path = models.CharField(
        max_length=500, help_text="Folder or file on the worker hosts, absolute or relative to the project."
    )
    source_url = models.URLField(blank=True, max_length=500)
    file_sha256 = models.JSONField(
        default=dict, blank=True, validators=[validate_sha256_map], help_text="{file name: SHA-256 hex}"
    )
    split_counts = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_split_counts],
        help_text='{"train": 60000, "test": 10000}',
    )
    class_histogram = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_class_histogram],
        help_text='{split: {class label: count}}, e.g. {"train": {"0": 5923}}',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DatasetKind.values), name="dataset_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(storage_path=""), name="dataset_storage_path_set"),
        ]
        indexes = [models.Index(fields=["kind", "charset"], name="dataset_kind_charset_idx")]

    def __str__(self):
        return self.name

    @property
    def total_examples(self):
        return sum(self.split_counts.values()) if isinstance(self.split_counts, dict) else 0
