"""The fixed CAS recipe as plain data: the web process stores and shows it without importing Keras."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CasConfig:
    per_class: int = 1000  # generated images of each class; the real row gets as many per class
    epochs: int = 5
    batch_size: int = 64  # small batches: enough steps for BatchNorm's moving statistics to settle
    learning_rate: float = 3e-3
    seed: int = 0
    arch: str = "small"
    # BatchNorm's default 0.99 leaves the moving statistics far from the data after a few
    # hundred steps, and a short training then reads its test set with the wrong statistics.
    bn_momentum: float = 0.9
