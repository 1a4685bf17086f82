"""Seeded, shuffled training batches in [-1, 1] without copying the dataset per epoch.

Each epoch's order comes from ``default_rng((seed, epoch))`` so a resumed run
sees exactly the batches an uninterrupted one would.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ml.data.arrays import LabelledImages


class BatchStream:
    def __init__(self, data: LabelledImages, *, batch_size: int, seed: int, balanced: bool = False,
                 steps_per_epoch: int | None = None):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if len(data) < batch_size:
            raise ValueError(f"dataset has {len(data)} images, fewer than one batch of {batch_size}")
        self.data = data
        self.batch_size = batch_size
        self.seed = seed
        self.balanced = balanced
        self.steps_per_epoch = steps_per_epoch or len(data) // batch_size
        self._by_class = [np.flatnonzero(data.labels == c) for c in range(data.charset.n_classes)]
        self._present = [c for c, rows in enumerate(self._by_class) if len(rows)]
        # The same rows as one array with per-class offsets, so balanced picks are one gather.
        self._class_sizes = np.array([len(rows) for rows in self._by_class], np.int64)
        self._class_starts = np.concatenate([[0], np.cumsum(self._class_sizes)[:-1]]).astype(np.int64)
        self._rows_by_class = np.concatenate(self._by_class) if self._by_class else np.zeros(0, np.int64)

    def epoch_order(self, epoch: int) -> np.ndarray:
        rng = np.random.default_rng((self.seed, epoch))
        n = self.steps_per_epoch * self.batch_size
        if self.balanced:
            classes = rng.choice(self._present, size=n)
            picks = rng.random(n)
            # Row int(p * size) of the chosen class: what a per-image loop would pick, vectorised.
            within = (picks * self._class_sizes[classes]).astype(np.int64)
            return self._rows_by_class[self._class_starts[classes] + within]
        order = rng.permutation(len(self.data))
        while len(order) < n:  # steps_per_epoch may ask for more than one pass
            order = np.concatenate([order, rng.permutation(len(self.data))])
        return order[:n]

    def epoch(self, epoch: int, start_step: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        order = self.epoch_order(epoch)
        for step in range(start_step, self.steps_per_epoch):
            rows = np.sort(order[step * self.batch_size:(step + 1) * self.batch_size])
            images = self.data.images[rows].astype(np.float32)
            yield (images[..., None] / 127.5 - 1.0), self.data.labels[rows]
