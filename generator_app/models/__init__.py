"""The data model, one module per concern; import models from here."""

from .choices import DatasetKind, GenerationStatus, RunStatus, WorkQueue
from .dataset import Dataset
from .generation_request import MAX_TEXT_LENGTH, GenerationRequest
from .generator_model import GeneratorModel
from .run_outputs import EpochMetric, SampleGrid
from .sweep import Direction, PrunerKind, SamplerKind, Sweep, SweepStatus
from .training_run import TrainingRun

__all__ = [
    "MAX_TEXT_LENGTH",
    "Dataset",
    "DatasetKind",
    "Direction",
    "EpochMetric",
    "GenerationRequest",
    "GenerationStatus",
    "GeneratorModel",
    "PrunerKind",
    "RunStatus",
    "SampleGrid",
    "SamplerKind",
    "Sweep",
    "SweepStatus",
    "TrainingRun",
    "WorkQueue",
]
