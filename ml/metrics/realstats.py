"""Per-class feature statistics of real test sets, shipped beside each evaluator.

FID needs the real set's feature mean and covariance. Storing them per class
(count, mean, second moment) instead of as one Gaussian lets the real side be
reweighted to exactly the class mix that was requested (``core.mixture_stats``),
and lets a generator be scored without the dataset on the machine.

The classes are those of the charset whose test set was read: ``real_stats.npz``
holds the evaluator's own charset; ``real_stats_<charset>.npz`` holds another
charset that this evaluator scores (the letters evaluator keeps the case-aware
``letters-cased`` test set per cased class), so a case-aware generator is
compared with real capitals and small letters in their own proportions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.metrics.core import mixture_stats

FILENAME = "real_stats.npz"


def filename_for(charset_name: str, evaluator_charset: str) -> str:
    return FILENAME if charset_name == evaluator_charset else f"real_stats_{charset_name}.npz"
REAL_SUBSAMPLE = 10_000  # real images per FID side, as in the reference figures
REAL_SUBSAMPLE_SEED = 7  # the test subsample's seed (the train subsample uses seed + 1)


@dataclass
class RealStats:
    counts: np.ndarray  # (K,) images per class
    means: np.ndarray  # (K, D)
    second: np.ndarray  # (K, D, D) E[f f^T | class]

    @classmethod
    def from_features(cls, features, labels, n_classes: int) -> RealStats:
        f = np.asarray(features, dtype=np.float64)
        labels = np.asarray(labels)
        d = f.shape[1]
        counts = np.bincount(labels, minlength=n_classes)
        means, second = np.zeros((n_classes, d)), np.zeros((n_classes, d, d))
        for c in np.flatnonzero(counts):
            fc = f[labels == c]
            means[c] = fc.mean(0)
            second[c] = fc.T @ fc / len(fc)
        return cls(counts, means, second)

    def gaussian(self, class_weights=None) -> tuple[np.ndarray, np.ndarray]:
        """(mu, sigma) of the real set with the given class weights (default: every class equally)."""
        weights = np.ones(len(self.counts)) if class_weights is None else class_weights
        return mixture_stats(self.counts, self.means, self.second, weights)

    def save(self, path) -> None:
        np.savez_compressed(path, counts=self.counts, means=self.means.astype(np.float32),
                            second=self.second.astype(np.float32))

    @classmethod
    def load(cls, path) -> RealStats:
        with np.load(Path(path)) as data:
            return cls(data["counts"], data["means"].astype(np.float64), data["second"].astype(np.float64))


def test_set_stats(evaluator, test) -> RealStats:
    """Per-class features (in ``evaluator``'s space) of the seeded 10,000-image subsample of real ``test``
    (LabelledImages), indexed by ``test``'s own classes: the real side of every FID."""
    from ml.metrics.data import subsample

    idx = subsample(len(test), REAL_SUBSAMPLE, REAL_SUBSAMPLE_SEED)
    return RealStats.from_features(evaluator.features(test.images[idx]), test.labels[idx], test.charset.n_classes)
