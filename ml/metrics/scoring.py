"""Images + requested labels + evaluator -> HandGen's metric set, one convention for real and generated images.

Convention (see README.md): every evaluator class that was requested weighs the
same (``core.balanced_weights``), and the real side of FID is the shipped real
test statistics mixed with equal class weights. A generator that draws its
classes evenly is scored exactly as the plain definitions say; a real test set
whose letters follow English frequency is scored as if its classes were balanced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.data.charset import Charset
from ml.metrics import core

IS_SPLITS = 10


@dataclass
class Scores:
    metrics: dict[str, float]  # flat, stable names (see README.md)
    per_class: np.ndarray  # accuracy per *requested* class (generator charset), NaN if never requested
    confusion: np.ndarray  # evaluator-space confusion matrix (requested x read)


def label_map(source: Charset, target: Charset) -> np.ndarray | None:
    """Class id in ``source`` -> class id in ``target`` by character (capitals fold onto letters via aliases).

    None when some class of ``source`` has no counterpart: that evaluator cannot score it.
    """
    ids = [target.class_of(ch) for ch in source.classes]
    if any(i is None for i in ids):
        return None
    return np.array(ids, dtype=np.int64)


def score_outputs(probs, features, requested, *, n_requested: int, mapping=None, real_stats=None,
                  real_by_requested: bool = False, splits: int = IS_SPLITS) -> Scores:
    """Metrics from evaluator outputs. ``requested`` are class ids of the requesting charset (a generator's,
    or the real test set's), ``mapping`` folds them onto evaluator classes (identity when None).

    ``real_stats`` (optional, for FID) is indexed by evaluator classes, or by requested classes when
    ``real_by_requested``; either way its classes are mixed in the proportions the scored images carry.
    """
    requested = np.asarray(requested, dtype=np.int64)
    labels = requested if mapping is None else np.asarray(mapping)[requested]
    k = probs.shape[1]
    weights = core.balanced_weights(labels, k)
    correct = (probs.argmax(1) == labels).astype(np.float64)
    hits = np.bincount(requested, weights=correct, minlength=n_requested)
    counts = np.bincount(requested, minlength=n_requested)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(counts > 0, hits / np.maximum(counts, 1), np.nan)
    worst = int(np.nanargmin(per_class))
    is_mean, is_std = core.inception_score(probs, splits=splits, weights=weights)
    metrics = {
        "cond_acc": core.conditioning_accuracy(probs, labels, weights),
        "cond_acc_min_class": float(per_class[worst]),
        "cond_acc_min_class_id": float(worst),
        "is": is_mean,
        "is_std": is_std,
        "bcis": core.bcis(probs, labels, weights),
        "wcis": core.wcis(probs, labels, weights),
        "bcis_ceiling": core.bcis_ceiling(labels, weights),
    }
    if real_stats is not None:
        index = requested if real_by_requested else labels
        class_weights = np.bincount(index, weights=weights, minlength=len(real_stats.counts))
        real_mu, real_sigma = real_stats.gaussian(class_weights)
        metrics["fid"] = core.frechet_distance(*core.feature_stats(features, weights), real_mu, real_sigma)
    return Scores(metrics, per_class, core.confusion_matrix(probs, labels, k))


def score_images(evaluator, images, requested, requesting: Charset, *, with_fid: bool = True,
                 splits: int = IS_SPLITS) -> Scores:
    """Run ``evaluator`` on uint8 images drawn (or written) as classes ``requested`` of charset ``requesting``."""
    mapping = label_map(requesting, evaluator.charset)
    if mapping is None:
        raise ValueError(f"the {evaluator.charset.name} evaluator cannot read every class of {requesting.name}")
    probs, features = evaluator.outputs(images)
    real_stats, by_requested = (real_stats_for(evaluator, requesting) if with_fid else (None, False))
    return score_outputs(probs, features, requested, n_requested=requesting.n_classes, mapping=mapping,
                         real_stats=real_stats, real_by_requested=by_requested, splits=splits)


def real_stats_for(evaluator, requesting: Charset):
    """(real statistics to compare images of ``requesting`` with, indexed by requested classes?).

    The real test set of the requesting charset itself when the evaluator ships one
    (e.g. letters-cased in the letters evaluator), else the evaluator's own test set.
    """
    own = requesting.name == evaluator.charset.name
    stats = None if own else evaluator.real_stats_for(requesting.name)
    if stats is not None and len(stats.counts) == requesting.n_classes:
        return stats, True
    return evaluator.real_stats, False


def case_partners(requesting: Charset, cased: Charset) -> tuple[np.ndarray, np.ndarray]:
    """For each class of ``requesting``: its class in the case-aware evaluator and the other case's class there.

    -1 for both where the letter's cases share a class (or the class is not a letter):
    there is no case to get wrong.
    """
    own, partner = np.full(requesting.n_classes, -1), np.full(requesting.n_classes, -1)
    for i, ch in enumerate(requesting.classes):
        a, b = cased.class_of(ch), cased.class_of(ch.swapcase())
        if ch.isalpha() and a is not None and b is not None and a != b:
            own[i], partner[i] = a, b
    return own, partner


def case_outputs(probs, requested, own_of, partner_of) -> dict[str, float]:
    """Case accuracy (``core.pair_choice_accuracy``) and strict cased accuracy over letters whose cases differ."""
    requested = np.asarray(requested, dtype=np.int64)
    keep = own_of[requested] >= 0
    if not keep.any():
        return {}
    own, partner = own_of[requested[keep]], partner_of[requested[keep]]
    p = probs[keep]
    weights = core.balanced_weights(own, p.shape[1])
    return {"case_acc": core.pair_choice_accuracy(p, own, partner, weights),
            "cased_cond_acc": core.conditioning_accuracy(p, own, weights),
            "case_images": float(keep.sum())}


def case_scores(cased_evaluator, images, requested, requesting: Charset) -> dict[str, float]:
    """How often the case-aware evaluator reads the requested case, for letters whose two cases differ."""
    own_of, partner_of = case_partners(requesting, cased_evaluator.charset)
    keep = own_of[np.asarray(requested)] >= 0
    if not keep.any():
        return {}
    probs = np.zeros((len(keep), cased_evaluator.n_classes))
    probs[keep] = cased_evaluator.probs(np.asarray(images)[keep])
    return case_outputs(probs, requested, own_of, partner_of)
