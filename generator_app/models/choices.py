"""Choice sets shared by models, forms, the API and check constraints."""

from django.db import models


class DatasetKind(models.TextChoices):
    DIGITS = "digits", "Digits"
    LETTERS = "letters", "Letters"
    FONTS = "fonts", "Fonts"
    CUSTOM = "custom", "Custom"


class DatasetFormat(models.TextChoices):
    """What a dataset was imported from (``import_dataset`` and the admin upload)."""

    MNIST = "mnist", "MNIST (official IDX files)"
    EMNIST_LETTERS = "emnist-letters", "EMNIST letters (official IDX files)"
    EMNIST_POOL = "emnist-pool", "EMNIST letters pool (case merged)"
    EMNIST_POOL_CASED = "emnist-pool-cased", "EMNIST letters pool (with case)"
    FONTS = "fonts", "Font files rendered (notMNIST style)"
    NOTMNIST = "notmnist", "notMNIST folder of PNGs"
    FOLDER = "folder", "Own handwriting (one folder per character)"
    EXPORT = "export", "HandGen export (ZIP of IDX, NPZ or PNG folders)"


# Formats the importer normalises and stores under MEDIA_ROOT/datasets/<id>/; ml reads them
# back with its "imported" loader. The others stay where they are and are read in place.
STORED_DATASET_FORMATS = (DatasetFormat.FONTS, DatasetFormat.NOTMNIST, DatasetFormat.FOLDER, DatasetFormat.EXPORT)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    # A sweep's trial stopped early by its pruner (the run says why in ``pruned_reason``).
    PRUNED = "pruned", "Pruned"


RUN_TERMINAL_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.PRUNED)


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


class JobStatus(models.TextChoices):
    """A background job a user asked for (a dataset export, a usefulness score)."""

    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


JOB_TERMINAL_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ExportFormat(models.TextChoices):
    IDX = "idx", "MNIST-format IDX (gzip)"
    NPZ = "npz", "NumPy NPZ"
    PNG = "png", "PNG folders (one per character)"
