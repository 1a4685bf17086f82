"""The seeded, stratified train/test split used for every dataset that has no official one."""

from __future__ import annotations

import numpy as np

from ml.data.arrays import LabelledImages

DEFAULT_SPLIT_SEED = 20261125
DEFAULT_TEST_FRACTION = 0.1
MIN_CLASS_FOR_TEST = 5


def stratified_test_mask(labels: np.ndarray, *, seed: int = DEFAULT_SPLIT_SEED,
                         test_fraction: float = DEFAULT_TEST_FRACTION) -> np.ndarray:
    """Boolean mask of test rows: ``round(test_fraction * n)`` random rows of each class.

    A class of at least MIN_CLASS_FOR_TEST images keeps at least one test image, so a
    small hand-made set still has something to evaluate on. Seeded by class as well,
    so adding images of one character never reshuffles the split of another.
    """
    if not 0 <= test_fraction < 1:
        raise ValueError("test_fraction must be in [0, 1)")
    labels = np.asarray(labels)
    mask = np.zeros(len(labels), bool)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        rng = np.random.default_rng((seed, int(label)))
        n_test = int(round(test_fraction * len(rows)))
        if test_fraction > 0 and len(rows) >= MIN_CLASS_FOR_TEST:
            n_test = max(n_test, 1)
        mask[rng.permutation(rows)[:n_test]] = True
    return mask


def split(data: LabelledImages, *, seed: int = DEFAULT_SPLIT_SEED,
          test_fraction: float = DEFAULT_TEST_FRACTION) -> dict[str, LabelledImages]:
    mask = stratified_test_mask(data.labels, seed=seed, test_fraction=test_fraction)
    return {"train": data.subset(~mask), "test": data.subset(mask)}
