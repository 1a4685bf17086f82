"""The trainer's figures as a run's JSON columns store them: finite numbers or None, losses apart.

Shared by the worker that records a run (its sink, the final evaluation) and the import of the
shipped runs, so both store the same shapes.
"""

import math

LOSS_KEYS = ("d_loss", "g_loss", "d_aux_loss", "g_aux_loss")


def json_number(value):
    """A finite float, or None for NaN/inf (JSON columns cannot hold them); None for non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def json_safe(value):
    """Recursively replace NaN/inf by None and non-JSON values by strings (JSON columns reject them)."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return json_safe(value.item())
    return str(value)


def split_epoch_metrics(metrics):
    """(losses, metrics) as EpochMetric stores them; non-numeric values are dropped."""
    numbers = {key: json_number(value) for key, value in metrics.items() if isinstance(value, int | float)}
    losses = {key: numbers[key] for key in LOSS_KEYS if key in numbers}
    return losses, {key: value for key, value in numbers.items() if key not in LOSS_KEYS}
