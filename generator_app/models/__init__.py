"""The data model, one module per concern; import models from here."""

from .choices import DatasetKind, GenerationStatus, RunStatus, WorkQueue
from .dataset import Dataset
from .dataset_download import DatasetDownload, DatasetRelease, DownloadStatus
from .generation_request import MAX_TEXT_LENGTH, GenerationRequest
from .generator_model import GeneratorModel
from .run_outputs import EpochMetric, SampleGrid
from .training_run import TrainingRun

__all__ = [
    "MAX_TEXT_LENGTH",
    "Dataset",
    "DatasetDownload",
    "DatasetRelease",
    "DownloadStatus",
    "DatasetKind",
    "EpochMetric",
    "GenerationRequest",
    "GenerationStatus",
    "GeneratorModel",
    "RunStatus",
    "SampleGrid",
    "TrainingRun",
    "WorkQueue",
]
