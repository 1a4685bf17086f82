"""A PNG grid of samples, one row per class, from a fixed noise batch."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def to_uint8(images) -> np.ndarray:
    """[-1, 1] floats (N, 28, 28[, 1]) -> uint8 (N, 28, 28), white ink on black."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4:
        images = images[..., 0]
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def grid_png(images: np.ndarray, rows: int, pad: int = 2) -> bytes:
    n, h, w = images.shape
    cols = -(-n // rows)
    canvas = np.zeros((rows * (h + pad) + pad, cols * (w + pad) + pad), np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        canvas[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = img
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, format="PNG", optimize=True)
    return buf.getvalue()
