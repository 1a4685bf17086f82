"""A tiny synthetic dataset for tests and smoke runs: one drawable shape per class.

Not handwriting, but learnable and class-separable, so a few training steps on it
exercise every code path without the real data.
"""

from __future__ import annotations

import numpy as np

from ml.data.arrays import LabelledImages
from ml.data.charset import Charset, digits


def _shape(label: int, rng: np.random.Generator) -> np.ndarray:
    img = np.zeros((28, 28), np.float32)
    yy, xx = np.mgrid[:28, :28]
    cx, cy = 14 + rng.integers(-2, 3), 14 + rng.integers(-2, 3)
    angle = np.pi * label / 10
    # a bar at a class-specific angle, plus a dot whose position also depends on the class
    t = (xx - cx) * np.cos(angle) + (yy - cy) * np.sin(angle)
    d = np.abs(-(xx - cx) * np.sin(angle) + (yy - cy) * np.cos(angle))
    img[(d < 1.6) & (np.abs(t) < 9)] = 1.0
    img[(xx - (6 + 2 * label)) ** 2 + (yy - 22) ** 2 < 5] = 1.0
    return img


def make_fixture(n: int = 512, *, charset: Charset | None = None, seed: int = 0) -> LabelledImages:
    charset = charset or digits()
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % charset.n_classes).astype(np.int32)
    rng.shuffle(labels)
    images = np.stack([_shape(int(y) % 10, rng) for y in labels])
    return LabelledImages((images * 255).astype(np.uint8), labels, charset)
