"""A download of a public dataset release started from the admin, and how far it got.

State lives here, not in the worker: the admin page polls this row for its progress bar,
and a retried task sees what is already done.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .dataset import Dataset


class DownloadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Downloading"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"


class DatasetRelease(models.TextChoices):
    """Releases ml.data.download knows, as an admin may download them (sizes as published)."""

    MNIST = "mnist", "MNIST digits (11.6 MB)"
    EMNIST_LETTERS = "emnist-letters", "EMNIST letters (the whole EMNIST release, 562 MB, is fetched)"


class DatasetDownload(models.Model):
    release = models.CharField(max_length=32, choices=DatasetRelease.choices)
    status = models.CharField(max_length=16, choices=DownloadStatus.choices, default=DownloadStatus.QUEUED)
    bytes_done = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(null=True, blank=True, help_text="Empty until the server says.")
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="downloads",
                                help_text="The dataset registered from the downloaded files.")
    error_message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="dataset_downloads")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=DownloadStatus.values), name="download_status_valid"),
            models.CheckConstraint(condition=models.Q(release__in=DatasetRelease.values),
                                   name="download_release_valid"),
            models.CheckConstraint(condition=~models.Q(status=DownloadStatus.FAILED) | ~models.Q(error_message=""),
                                   name="download_failed_has_error_message"),
        ]

    def __str__(self):
        return f"{self.get_release_display()} download ({self.get_status_display()})"

    def clean(self):
        if self.status == DownloadStatus.FAILED and not self.error_message.strip():
            raise ValidationError({"error_message": "A failed download needs the reason it failed."})

    @property
    def is_active(self):
        return self.status in (DownloadStatus.QUEUED, DownloadStatus.RUNNING)

    @property
    def fraction(self):
        """0..1 when the size is known, else None."""
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else None
