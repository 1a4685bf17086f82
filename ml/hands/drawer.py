"""A default generator with some of its characters redrawn by the user's adapted copy of it.

The writer sees one drawer per charset (same name, charset and latent size as the
default), so the style vector, the glyph pool and the redraw loop are unchanged:
only the classes the user wrote go to the adapted weights; empty boxes fall back
to the default hand. Deterministic, so the same seed gives the same image.
"""

from __future__ import annotations

import numpy as np


class HandDrawer:
    def __init__(self, default, hand, class_ids):
        if default.latent_dim != hand.latent_dim:
            raise ValueError("the adapted generator does not match its default one (latent size)")
        self.charset = default.charset
        self.latent_dim = default.latent_dim
        self._default, self._hand = default, hand
        self._mine = np.array(sorted(class_ids), dtype=np.int32)

    def draw(self, labels, z):
        labels = np.asarray(labels, dtype=np.int32)
        z = np.asarray(z, dtype=np.float32)
        mine = np.isin(labels, self._mine)
        out = np.empty((len(labels), 28, 28), np.uint8)
        if mine.any():
            out[mine] = self._hand.draw(labels[mine], z[mine])
        if (~mine).any():
            out[~mine] = self._default.draw(labels[~mine], z[~mine])
        return out
