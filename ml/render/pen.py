"""One pen per page: every drawn glyph redrawn with the page's stroke width and slant.

Why: a GAN glyph's stroke weight and lean come from its latent vector, so the
glyphs of one page differ in both even when they share a style vector, and a
28 px glyph enlarged 2–5× is a blur. Here each glyph is enlarged once to about
page resolution, its outline becomes a signed distance field, and the outline
is moved in or out by half the difference between the glyph's own stroke width
and the page's pen: the letter keeps its skeleton, every stroke of the page gets
one width, and the edge is crisp at any size. Slant is measured from the ink's
second moments and sheared to the page's slant by the layout.

The distance transform is OpenCV's, imported on first use (the web process
imports ``ml.render`` for its options and never draws).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import opencv
from .components import split_components
from .glyphs import PreparedGlyph
from .stroke import ridge_width_of_distances

# A stroke may be thinned to this share of its own width at most: a GAN glyph's strokes are
# uneven, and thinning by one offset breaks the thinner ones first.
MIN_THINNING = 0.75
# ... and thickened to this many times its own width (thicker, counters fill in).
MAX_THICKENING = 2.2
# Upsampling limits: about page resolution, never below the source or above this.
MAX_UPSAMPLE = 6
# Source px of background kept around a glyph, room for the thickest pen.
OUTLINE_PAD = 4
# Slant correction is limited so a glyph whose moments say little (o, x) is not sheared wildly.
MAX_SLANT_CORRECTION = 25.0


def glyph_slant(bitmap: np.ndarray) -> float:
    """Degrees the ink leans right (positive) or left, from its second moments.

    The shear that makes x independent of y removes the lean: tan(slant) =
    −cov(x, y) / var(y) with y pointing down.
    """
    m = opencv.cv2().moments(np.asarray(bitmap, dtype=np.float32))
    if m["m00"] <= 0.0 or m["mu02"] <= 1e-9 * m["m00"]:
        return 0.0
    return math.degrees(math.atan(-m["mu11"] / m["mu02"]))


def shear_to(own: float, target: float) -> float:
    """tan of the shear that takes a glyph leaning ``own`` degrees to ``target`` (correction capped)."""
    own = min(max(own, target - MAX_SLANT_CORRECTION), target + MAX_SLANT_CORRECTION)
    return math.tan(math.radians(target)) - math.tan(math.radians(own))


def upsample_factor(scale: float) -> int:
    """Source px → bitmap px so that one bitmap px is about one page px."""
    return int(min(max(round(scale), 1), MAX_UPSAMPLE))


@dataclass(frozen=True, eq=False)
class Outline:
    """A glyph enlarged ``upsample`` times as a signed distance to its outline (bitmap px, > 0 inside)."""

    signed: np.ndarray
    width: float  # the glyph's own stroke width, source px
    upsample: int


def outline(glyph: PreparedGlyph, upsample: int) -> Outline:
    """The glyph's outline field at ``upsample``× (room around it for the thickest pen)."""
    cv2 = opencv.cv2()

    pad = OUTLINE_PAD
    src = cv2.copyMakeBorder(np.asarray(glyph.bitmap, np.float32), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    big = cv2.resize(src, None, fx=upsample, fy=upsample, interpolation=cv2.INTER_CUBIC) if upsample > 1 else src
    inside = big >= 0.5
    to_edge_in = cv2.distanceTransform(inside.view(np.uint8), cv2.DIST_L2, 5)
    to_edge_out = cv2.distanceTransform(np.logical_not(inside).view(np.uint8), cv2.DIST_L2, 5)
    # inside: to_edge_in − ½; outside: ½ − to_edge_out (each distance is 0 on the other side)
    signed = to_edge_in - to_edge_out
    signed += 0.5
    signed -= inside
    # The field of a thresholded image steps by whole pixels along a slanted edge; a light blur
    # takes the staircase out of the outline without moving it.
    signed = cv2.GaussianBlur(signed, (0, 0), sigmaX=max(0.35 * upsample, 0.7))
    return Outline(signed=signed, width=ridge_width_of_distances(to_edge_in) / upsample, upsample=upsample)


def repen(shape: Outline, width: float, char: str) -> PreparedGlyph | None:
    """The glyph of ``char`` drawn with strokes ``width`` source px wide (None if nothing is left).

    A faint tail of the source can come apart from its stroke at the new outline; such a
    piece is a speck on the page and is dropped like the source's own (``components``).
    """
    width = min(max(width, MIN_THINNING * shape.width), MAX_THICKENING * shape.width)
    shift = (width - shape.width) / 2.0 * shape.upsample
    coverage = shape.signed + np.float32(shift + 0.5)
    np.clip(coverage, 0.0, 1.0, out=coverage)
    inked = coverage >= 0.5
    kept, specks = split_components(coverage, inked, char)
    if specks:  # the dropped pieces and their soft rims go; the character's rim stays
        coverage = np.where(_near(inked & ~kept, 1) & ~kept, np.float32(0.0), coverage)
        inked = coverage >= 0.5
    x, y, w, h = opencv.cv2().boundingRect(inked.view(np.uint8))
    if w == 0:
        return None
    return PreparedGlyph(bitmap=coverage, ink_box=(float(x), float(y), float(x + w), float(y + h)))


def _near(mask: np.ndarray, reach: int) -> np.ndarray:
    """``mask`` grown by ``reach`` px (the soft rim of the kept ink stays)."""
    cv2 = opencv.cv2()

    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)) > 0
