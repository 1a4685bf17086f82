"""The data model, one module per concern; import models from here."""

from .choices import DatasetKind, GenerationStatus, RunStatus, WorkQueue
from .dataset import Dataset
from .generation_request import MAX_TEXT_LENGTH, GenerationRequest
from .generator_model import GeneratorModel
from .hand import MAX_SHEET_BYTES, Hand, HandGlyph, HandSheet, HandStatus, SheetStatus
from .run_outputs import EpochMetric, SampleGrid
from .training_run import TrainingRun

__all__ = [
    "MAX_TEXT_LENGTH",
    "Dataset",
    "DatasetKind",
    "EpochMetric",
    "GenerationRequest",
    "GenerationStatus",
    "GeneratorModel",
    "Hand",
    "HandGlyph",
    "HandSheet",
    "HandStatus",
    "MAX_SHEET_BYTES",
    "SheetStatus",
    "RunStatus",
    "SampleGrid",
    "TrainingRun",
    "WorkQueue",
]
