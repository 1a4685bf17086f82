"""What a sweep can optimise: per-epoch figures every run records, and one documented combination.

The epoch evaluator (``ml.metrics.epoch``, needs ``eval_images`` > 0 and a shipped
evaluator for the charset) gives ``cond_acc``, ``fid`` (1,000 images), ``is``, ``bcis``,
``wcis``; every run also records its losses, which a sweep on data no evaluator reads
(the test fixture) can still optimise. ``bcis_wcis`` is the reference system's goal as one
number: it maximised BCIS and minimised WCIS, i.e. maximises ln BCIS - ln WCIS (both are
>= 1, and IS = BCIS x WCIS, so this rewards classes told apart without penalising
diversity twice).

Pure Python: the model's ``clean()``, the admin form and the worker's pruning hook read it.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Objective:
    label: str
    direction: str  # the natural direction; the admin may still choose the other one
    needs_evaluator: bool


def _metric(key):
    def value(losses, metrics):
        return metrics.get(key)

    return value


def _loss(key):
    def value(losses, metrics):
        return losses.get(key)

    return value


def _bcis_wcis(losses, metrics):
    bcis, wcis = metrics.get("bcis"), metrics.get("wcis")
    if not bcis or not wcis or bcis <= 0 or wcis <= 0:
        return None
    return math.log(bcis) - math.log(wcis)


OBJECTIVES = {
    "cond_acc": Objective("Conditioning accuracy", "maximize", True),
    "fid": Objective("FID (1k images)", "minimize", True),
    "bcis": Objective("BCIS", "maximize", True),
    "wcis": Objective("WCIS", "minimize", True),
    "is": Objective("Inception score (evaluator)", "maximize", True),
    "bcis_wcis": Objective("ln BCIS - ln WCIS", "maximize", True),
    "d_loss": Objective("Discriminator loss", "minimize", False),
    "g_loss": Objective("Generator loss", "minimize", False),
}
_READERS = {key: _metric(key) for key in ("cond_acc", "fid", "bcis", "wcis", "is")}
_READERS.update(bcis_wcis=_bcis_wcis, d_loss=_loss("d_loss"), g_loss=_loss("g_loss"))


def objective_value(objective, *, losses, metrics):
    """The objective for one epoch's stored losses and metrics, or None when it was not recorded."""
    value = _READERS[objective](losses or {}, metrics or {})
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def objective_choices():
    return [(key, f"{spec.label} ({spec.direction})") for key, spec in OBJECTIVES.items()]
