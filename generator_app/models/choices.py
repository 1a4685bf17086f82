"""Choice sets shared by models, forms, the API and check constraints."""

from django.db import models


class DatasetKind(models.TextChoices):
    DIGITS = "digits", "Digits"
    LETTERS = "letters", "Letters"
    FONTS = "fonts", "Fonts"
    CUSTOM = "custom", "Custom"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


RUN_TERMINAL_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class GenerationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


GENERATION_TERMINAL_STATUSES = (GenerationStatus.SUCCEEDED, GenerationStatus.FAILED)


class WorkQueue(models.TextChoices):
    """Celery queues a run may be sent to (see CELERY_TASK_QUEUES)."""

    GPU = "gpu", "GPU workers"
    DEFAULT = "default", "Default workers"
