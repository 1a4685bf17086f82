"""The in-memory form every reader returns: upright uint8 images, int labels, a charset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.data.charset import Charset


@dataclass
class LabelledImages:
    images: np.ndarray  # (N, 28, 28) uint8, white ink on black, upright
    labels: np.ndarray  # (N,) int32 class ids of `charset`
    charset: Charset

    def __post_init__(self):
        if self.images.ndim != 3 or self.images.dtype != np.uint8:
            raise ValueError(f"images must be (N, H, W) uint8, got {self.images.shape} {self.images.dtype}")
        if len(self.images) != len(self.labels):
            raise ValueError(f"{len(self.images)} images but {len(self.labels)} labels")
        if len(self.labels) and (self.labels.min() < 0 or self.labels.max() >= self.charset.n_classes):
            raise ValueError(f"labels out of range 0..{self.charset.n_classes - 1}")

    def __len__(self) -> int:
        return len(self.labels)

    def histogram(self) -> dict[str, int]:
        counts = np.bincount(self.labels, minlength=self.charset.n_classes)
        return {self.charset.char_of(i): int(n) for i, n in enumerate(counts)}

    def subset(self, index) -> LabelledImages:
        return LabelledImages(self.images[index], self.labels[index], self.charset)
