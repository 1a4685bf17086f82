"""Datasets a run can train on: where the files are and what they hold."""

from django.db import models

from .choices import STORED_DATASET_FORMATS, DatasetFormat, DatasetKind
from .validators import (
    validate_charset_name,
    validate_class_histogram,
    validate_json_object,
    validate_sha256_map,
    validate_split_counts,
)


def dataset_preview_path(instance, filename):
    return f"datasets/previews/{instance.pk}.png"


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
    source_format = models.CharField(
        max_length=32, choices=DatasetFormat.choices, blank=True,
        help_text="What it was imported from; empty for rows entered by hand.",
    )  # fmt: skip
    charset_spec = models.JSONField(
        default=dict, blank=True, validators=[validate_json_object],
        help_text="The full charset (ml.data.charset.Charset.to_dict): classes, aliases, case awareness.",
    )  # fmt: skip
    preview = models.ImageField(
        upload_to=dataset_preview_path, blank=True, max_length=300, help_text="Samples of every class."
    )
    import_report = models.JSONField(
        default=dict, blank=True, validators=[validate_json_object],
        help_text="What the import found: skipped files, fonts, seeds, checksum matches.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DatasetKind.values), name="dataset_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(storage_path=""), name="dataset_storage_path_set"),
            models.CheckConstraint(
                condition=models.Q(source_format__in=["", *DatasetFormat.values]), name="dataset_source_format_valid"
            ),
        ]
        indexes = [models.Index(fields=["kind", "charset"], name="dataset_kind_charset_idx")]

    def __str__(self):
        return self.name

    @property
    def is_stored(self):
        """True when the importer keeps its normalised arrays under MEDIA_ROOT/datasets/<id>/."""
        return self.source_format in STORED_DATASET_FORMATS

    @property
    def training_loader(self):
        """The ml loader (training config "dataset") that reads ``storage_path``, or "" if unknown."""
        return "imported" if self.is_stored else self.source_format

    @property
    def total_examples(self):
        return sum(self.split_counts.values()) if isinstance(self.split_counts, dict) else 0
