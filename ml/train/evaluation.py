"""Per-epoch quality numbers during training, using a shipped evaluator when one fits the charset."""

from __future__ import annotations


def default_epoch_evaluator():
    """``fn(generator_model, cfg, charset) -> dict``; it returns {} for a charset no shipped evaluator reads.

    Imported on call: ml.metrics must not be imported by ml.train at module level (the
    metrics side stays importable without the trainer, and the other way round).
    """
    from ml.metrics.epoch import epoch_evaluator

    return epoch_evaluator
