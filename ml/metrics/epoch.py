"""The trainer's per-epoch quality hook: a cheap, fixed-noise evaluation of the generator being trained.

The same ``cfg["eval_images"]`` latents and labels are drawn every epoch (seeded by
the run's seed), so the curves on a run page move only because the generator did.
FID here compares ~1,000 generated images with 10,000 real ones and so sits above
the 10,000-image figure of ``python -m ml.evaluate``: compare its trend, not its level.
"""

from __future__ import annotations

import numpy as np

from ml.data.charset import Charset
from ml.metrics.evaluator import CASE_EVALUATOR, SCORING_EVALUATOR, shipped_evaluator
from ml.metrics.scoring import case_scores, label_map, score_images

EPOCH_METRICS = ("cond_acc", "cond_acc_min_class", "is", "bcis", "wcis", "fid")
NOISE_STREAM = 8_888  # keeps the eval latents apart from the grid's and the training steps' streams


def scoring_evaluators(charset: Charset):
    """(evaluator that scores this charset, case evaluator or None); (None, None) if none is shipped or fits."""
    evaluator = shipped_evaluator(SCORING_EVALUATOR.get(charset.name, charset.name))
    if evaluator is None or label_map(charset, evaluator.charset) is None:
        return None, None
    cased = shipped_evaluator(CASE_EVALUATOR[charset.name]) if charset.name in CASE_EVALUATOR else None
    return evaluator, cased


def fixed_eval_inputs(cfg: dict, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The same (z, labels) every epoch: labels spread evenly over the classes."""
    n = int(cfg["eval_images"])
    labels = (np.arange(n) % n_classes).astype(np.int32)
    z = np.random.default_rng((cfg["seed"], NOISE_STREAM)).standard_normal((n, cfg["latent_dim"]))
    return z.astype(np.float32), labels


def draw_uint8(generator_model, z: np.ndarray, labels: np.ndarray, batch: int = 1000) -> np.ndarray:
    """Call the Keras generator ([-1, 1] output) and quantise like ``ml.generator.Generator.draw``."""
    import keras

    out = np.empty((len(labels), 28, 28), np.uint8)
    for i in range(0, len(labels), batch):
        images = keras.ops.convert_to_numpy(generator_model([z[i:i + batch], labels[i:i + batch]], training=False))
        images = np.asarray(images, dtype=np.float32)  # mixed-precision runs return bfloat16
        out[i:i + batch] = np.clip(np.rint((images[..., 0] + 1.0) * 127.5), 0, 255)
    return out


def epoch_evaluator(generator_model, cfg: dict, charset: Charset) -> dict[str, float]:
    """Flat float metrics for one epoch (cond_acc, cond_acc_min_class, is, bcis, wcis, fid, and case_acc
    for a case-aware charset); {} when no shipped evaluator reads this charset."""
    evaluator, cased = scoring_evaluators(charset)
    if evaluator is None or not cfg.get("eval_images"):
        return {}
    z, labels = fixed_eval_inputs(cfg, charset.n_classes)
    images = draw_uint8(generator_model, z, labels)
    scores = score_images(evaluator, images, labels, charset)
    out = {k: float(scores.metrics[k]) for k in EPOCH_METRICS if k in scores.metrics}
    if cased is not None:
        case = case_scores(cased, images, labels, charset)
        if "case_acc" in case:
            out["case_acc"] = float(case["case_acc"])
    return out
