"""A generator stand-in for export tests: deterministic in (label, noise), no model file needed."""

from __future__ import annotations

import numpy as np

from ml.data.charset import digits
from ml.data.fixture import _shape


class FakeGenerator:
    """Draws the fixture's class shape, shifted by its noise: readable, varied, and cheap."""

    latent_dim = 4
    meta = {"architecture": "fake"}

    def __init__(self, charset=None):
        self.charset = charset or digits()
        self.calls = 0

    def draw(self, labels, z):
        self.calls += 1
        out = np.empty((len(labels), 28, 28), np.uint8)
        for i, (label, noise) in enumerate(zip(labels, z, strict=True)):
            rng = np.random.default_rng(abs(int(noise[0] * 1e6)))
            out[i] = (_shape(int(label) % 10, rng) * 255).astype(np.uint8)
        return out
