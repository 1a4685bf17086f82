"""How consistent a page's handwriting is, measured on its pixels.

A page looks written by one person when its strokes have one width, its letters
one lean and their sizes follow the character classes. Each drawn glyph is
painted alone (as the PNG paints it) and measured:

- stroke width: twice the median of the distance transform along the ink's
  ridge (the stroke's centre line), minus half a pixel (``stroke.ridge_width``);
  measured on the glyph painted at SUPERSAMPLE× the page's size, since a 4 px
  stroke's distance transform moves in steps of a quarter of its width;
- slant: from the ink's second moments (``pen.glyph_slant``);
- height: the ink's height over the height its character class should have;
- specks: ink components that are not part of the character (``components``).

A page's spread is the coefficient of variation (std / mean) of the stroke widths
and heights and the standard deviation of the slants in degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .components import split_components
from .geometry import Affine
from .layout import Layout, PlacedGlyph
from .pen import glyph_slant
from .raster import glyph_alpha
from .stroke import ridge_width
from .typography import vertical_span

SUPERSAMPLE = 4


@dataclass(frozen=True)
class GlyphMeasure:
    char: str
    stroke_width: float  # page px
    slant: float  # degrees
    height_ratio: float  # ink height / the class's height
    specks: int


def measure_glyphs(layout: Layout) -> list[GlyphMeasure]:
    """One measure per GAN-drawn glyph of the page (procedural punctuation is left out)."""
    opts = layout.options
    out = []
    for g in layout.glyphs:
        if g.bitmap is None:
            continue
        alpha = glyph_alpha(g, layout.width, layout.height)
        if alpha is None:
            continue
        mask = alpha >= 0.5
        if not mask.any():
            continue
        big = PlacedGlyph(char=g.char, index=g.index, line=g.line, bitmap=g.bitmap,
                          transform=g.transform.then(Affine.scale(SUPERSAMPLE)),
                          bbox=tuple(v * SUPERSAMPLE for v in g.bbox))  # fmt: skip
        fine = glyph_alpha(big, layout.width * SUPERSAMPLE, layout.height * SUPERSAMPLE)
        rows = np.flatnonzero(mask.any(axis=1))
        top, bottom = vertical_span(g.char, opts.x_height, opts.descender)
        _, specks = split_components(alpha, mask, g.char)
        out.append(GlyphMeasure(
            char=g.char,
            stroke_width=ridge_width(fine >= 0.5) / SUPERSAMPLE,
            slant=glyph_slant(alpha),
            height_ratio=(rows[-1] - rows[0] + 1) / ((top - bottom) * opts.char_size),
            specks=int(specks),
        ))  # fmt: skip
    return out


def _cv(values) -> float:
    values = np.asarray(values, dtype=np.float64)
    return float(values.std() / values.mean()) if len(values) > 1 and values.mean() > 0 else math.nan


def page_spread(measures: list[GlyphMeasure]) -> dict[str, float]:
    """The page's consistency figures (lower is more consistent), and its speck count."""
    return {
        "glyphs": float(len(measures)),
        "stroke_width_mean": float(np.mean([m.stroke_width for m in measures])) if measures else math.nan,
        "stroke_width_cv": _cv([m.stroke_width for m in measures]),
        "slant_std": float(np.std([m.slant for m in measures])) if len(measures) > 1 else math.nan,
        "height_cv": _cv([m.height_ratio for m in measures]),
        "specks": float(sum(m.specks for m in measures)),
    }
