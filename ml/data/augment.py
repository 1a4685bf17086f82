"""Seeded distortions that make one font rendering look like many hands: stroke, slant, elastic.

All work on a float ink map (white ink on black, values 0..1) at render size,
before the MNIST normalisation, so the distortions are smooth rather than
pixel-sized. Every random draw comes from the ``rng`` passed in: the same seed
gives the same images on every machine.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from ml.data.normalise import stroke_width

STROKE_STEPS = (-1, 0, 0, 1, 2)  # thinner, as drawn (twice as likely), bolder, much bolder
MIN_WIDTH_TO_THIN = 5.0  # render pixels: only fonts with strokes at least this wide are thinned
MAX_SHEAR = 0.3  # tan of the slant angle: about +-17 degrees
ELASTIC_GRID = 4
ELASTIC_SIGMA = 0.025  # displacement std as a fraction of the (cropped) glyph's side


def change_stroke(ink: np.ndarray, step: int) -> np.ndarray:
    """Erode (step < 0) or dilate (step > 0) the strokes by about ``step`` pixels per side."""
    if step == 0:
        return ink
    if step < 0 and stroke_width(ink) < MIN_WIDTH_TO_THIN:
        return ink  # thinning an already thin font would break its strokes apart
    img = Image.fromarray(ink.astype(np.float32), mode="F")
    size = 2 * abs(step) + 1
    img = img.filter(ImageFilter.MaxFilter(size) if step > 0 else ImageFilter.MinFilter(size))
    out = np.asarray(img, dtype=np.float64)
    return out if out.max() > 0.5 else ink  # never erode a thin glyph away


def slant(ink: np.ndarray, shear: float) -> np.ndarray:
    """Lean the glyph right (shear > 0) or left, about its vertical centre."""
    h, w = ink.shape
    img = Image.fromarray(ink.astype(np.float32), mode="F")
    # The affine maps output (x, y) to input (x + shear * (y - h/2), y).
    img = img.transform((w, h), Image.Transform.AFFINE, (1, shear, -shear * h / 2, 0, 1, 0),
                        resample=Image.Resampling.BILINEAR)
    return np.asarray(img, dtype=np.float64)


def elastic(ink: np.ndarray, rng: np.random.Generator, sigma: float = ELASTIC_SIGMA) -> np.ndarray:
    """A small smooth warp: random displacements on a coarse grid, upsampled, then resampled."""
    h, w = ink.shape
    fields = []
    for _ in range(2):
        coarse = rng.normal(0.0, sigma * max(h, w), (ELASTIC_GRID, ELASTIC_GRID)).astype(np.float32)
        fields.append(np.asarray(Image.fromarray(coarse, mode="F").resize((w, h), Image.Resampling.BICUBIC)))
    yy, xx = np.indices((h, w), dtype=np.float64)
    return _bilinear(ink, yy + fields[0], xx + fields[1])


def _bilinear(img: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    h, w = img.shape
    y = np.clip(y, 0, h - 1)
    x = np.clip(x, 0, w - 1)
    y0, x0 = np.floor(y).astype(int), np.floor(x).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = y - y0, x - x0
    top = img[y0, x0] * (1 - fx) + img[y0, x1] * fx
    bottom = img[y1, x0] * (1 - fx) + img[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def augment(ink: np.ndarray, rng: np.random.Generator, *, stroke_scale: int = 1) -> np.ndarray:
    """One random variant: stroke change, slant, elastic warp (in that order)."""
    step = int(rng.choice(STROKE_STEPS)) * stroke_scale
    ink = change_stroke(ink, step)
    ink = slant(ink, float(rng.uniform(-MAX_SHEAR, MAX_SHEAR)))
    return elastic(ink, rng)
