"""How many images of each class an export holds, and the limits every entry point shares.

The limits live here, beside the arithmetic, so the API serializer, the page and the
CLI refuse the same requests with the same words before any worker is busy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# 200,000 28x28 images are 157 MB raw, 3x MNIST's training set: enough for any training
# experiment here, small enough that one worker draws and zips it in a few minutes.
MAX_TOTAL_IMAGES = 200_000
MAX_PER_CLASS = MAX_TOTAL_IMAGES
MAX_REDRAWS = 5
FORMATS = ("idx", "npz", "png")


class ExportRequestError(ValueError):
    """A request that cannot be honoured; the message is shown to the user as it is."""


def uniform_counts(n_classes: int, per_class: int) -> np.ndarray:
    if isinstance(per_class, bool) or not isinstance(per_class, (int, np.integer)):
        raise ExportRequestError("images per class must be a whole number")
    if per_class < 1:
        raise ExportRequestError(f"images per class must be at least 1, got {per_class}")
    if per_class * n_classes > MAX_TOTAL_IMAGES:
        raise ExportRequestError(
            f"{per_class:,} images per class x {n_classes} classes = {per_class * n_classes:,} images, "
            f"more than the {MAX_TOTAL_IMAGES:,} an export may hold")
    return np.full(n_classes, int(per_class), dtype=np.int64)


def proportional_counts(classes: tuple[str, ...], histogram: Mapping[str, int], total: int,
                        class_of=None) -> np.ndarray:
    """``total`` images split like ``histogram`` ({character: count} of a real set), largest remainder first.

    ``class_of`` maps a histogram character to a class id of the generator (defaults to the
    position in ``classes``), so a case-merged histogram can drive a case-aware generator's
    shared classes. Every class of the generator must appear with a positive count: a set
    with a class missing would teach a classifier that the class does not exist.
    """
    if isinstance(total, bool) or not isinstance(total, (int, np.integer)):
        raise ExportRequestError("the total number of images must be a whole number")
    if total < 1:
        raise ExportRequestError(f"the total number of images must be at least 1, got {total}")
    if total > MAX_TOTAL_IMAGES:
        raise ExportRequestError(f"{total:,} images is more than the {MAX_TOTAL_IMAGES:,} an export may hold")
    class_of = class_of or {ch: i for i, ch in enumerate(classes)}.get
    weights = np.zeros(len(classes), dtype=np.float64)
    for ch, count in histogram.items():
        cid = class_of(ch)
        if cid is not None and count > 0:
            weights[cid] += float(count)
    missing = [classes[i] for i in np.flatnonzero(weights == 0)]
    if missing:
        raise ExportRequestError(f"the class proportions have no images of {', '.join(missing[:10])}"
                                 f"{' …' if len(missing) > 10 else ''}: copy them from a set with every class")
    if total < len(classes):
        raise ExportRequestError(f"{total} images cannot hold one of each of the {len(classes)} classes")
    exact = weights / weights.sum() * total
    counts = np.maximum(np.floor(exact).astype(np.int64), 1)
    order = np.argsort(-(exact - np.floor(exact)), kind="stable")
    k = 0
    while counts.sum() < total:
        counts[order[k % len(order)]] += 1
        k += 1
    while counts.sum() > total:  # only when the floor of 1 pushed small classes up
        counts[np.argmax(counts)] -= 1
    return counts


def labels_for(counts: np.ndarray, seed: int) -> np.ndarray:
    """The class id of every image, shuffled with ``seed`` so that any prefix is a fair sample."""
    labels = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    return np.random.default_rng([seed, 1]).permutation(labels).astype(np.int32)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ExportRequestError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    return fmt


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ExportRequestError("the seed must be a whole number from 0 to 4294967295")
    return int(seed)
