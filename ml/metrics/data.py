"""The real image sets each evaluator is trained and referenced on, in that evaluator's charset."""

from __future__ import annotations

import numpy as np

from ml.data.arrays import LabelledImages
from ml.data.charset import get_charset
from ml.data.sources import load_letters_pool, load_mnist

# Human-readable description of each set, copied into the evaluator cards and REFERENCE.json.
DESCRIPTIONS = {
    "digits": "MNIST: 60,000 train / 10,000 test (the official split)",
    "letters": "EMNIST letters pool, case merged (ml.data.sources.load_letters_pool, documented "
               "seeded split: every official EMNIST letters test image plus a stratified top-up to 15 %)",
    "letters-cased": "EMNIST letters pool with case labels (load_letters_pool(cased=True)): same split, "
                     "case-unknown images left out for letters whose cases differ in shape",
    "alnum": "MNIST (official split) + EMNIST letters pool (documented split), letters shifted to ids 10..35",
    "alnum-cased": "MNIST (official split) + EMNIST letters pool with case labels (ml.data.sources."
                   "load_alnum_cased): digits 0..9, then the letters-cased classes",
}


def real_sets(charset_name: str, root=None) -> dict[str, LabelledImages]:
    """{"train", "test"} real images with true labels in the charset ``charset_name``."""
    if charset_name == "digits":
        return load_mnist(root and f"{root}/mnist")
    if charset_name == "letters":
        return load_letters_pool(root and f"{root}/emnist-letters-partial")
    if charset_name == "letters-cased":
        return load_letters_pool(root and f"{root}/emnist-letters-partial", cased=True)
    if charset_name == "alnum-cased":
        from ml.data.sources import load_alnum_cased

        return load_alnum_cased(root)
    if charset_name == "alnum":
        digits, letters = real_sets("digits", root), real_sets("letters", root)
        cs = get_charset("alnum")
        return {split: LabelledImages(np.concatenate([digits[split].images, letters[split].images]),
                                      np.concatenate([digits[split].labels, letters[split].labels + 10]).astype(np.int32),
                                      cs)
                for split in ("train", "test")}
    raise ValueError(f"no real data for charset {charset_name!r}; valid: digits, letters, letters-cased, alnum")


def subsample(n_total: int, size: int, seed: int) -> np.ndarray:
    """Sorted indices of a seeded random subset (all indices when size >= n_total)."""
    if size >= n_total:
        return np.arange(n_total)
    return np.sort(np.random.default_rng(seed).choice(n_total, size, replace=False))
