"""Per-epoch quality numbers during training, using a shipped evaluator when one fits the charset."""

from __future__ import annotations


def default_epoch_evaluator():
    """Return ``fn(generator_model, cfg, charset) -> dict`` or None when no evaluator is available yet."""
    try:
        from ml.metrics.epoch import epoch_evaluator
    except ImportError:
        return None
    return epoch_evaluator
