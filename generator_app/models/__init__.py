"""The data model, one module per concern; import models from here."""

from .choices import DatasetKind, ExportFormat, GenerationStatus, JobStatus, RunStatus, WorkQueue
from .dataset import Dataset
from .dataset_download import DatasetDownload, DatasetRelease, DownloadStatus
from .dataset_export import DatasetExport
from .generation_request import MAX_TEXT_LENGTH, GenerationRequest
from .generator_model import GeneratorModel
from .hand import MAX_SHEET_BYTES, Hand, HandGlyph, HandSheet, HandStatus, SheetStatus
from .run_outputs import EpochMetric, SampleGrid
from .sweep import Direction, PrunerKind, SamplerKind, Sweep, SweepStatus
from .training_run import TrainingRun
from .usefulness_score import UsefulnessScore

__all__ = [
    "MAX_TEXT_LENGTH",
    "Dataset",
    "DatasetDownload",
    "DatasetRelease",
    "DownloadStatus",
    "DatasetExport",
    "DatasetKind",
    "Direction",
    "EpochMetric",
    "ExportFormat",
    "GenerationRequest",
    "GenerationStatus",
    "GeneratorModel",
    "Hand",
    "HandGlyph",
    "HandSheet",
    "HandStatus",
    "MAX_SHEET_BYTES",
    "SheetStatus",
    "JobStatus",
    "PrunerKind",
    "RunStatus",
    "SampleGrid",
    "SamplerKind",
    "Sweep",
    "SweepStatus",
    "TrainingRun",
    "UsefulnessScore",
    "WorkQueue",
]
