"""Letter spacing from the ink: the gap between two letters is measured where their inks face each other.

Why: spacing by ink boxes leaves a hole wherever a box is wider than the ink
that faces its neighbour (the bar of an F over a following o, a slanted l), so
letters inside a word drift apart ("F ox", "real l y"). Here each glyph's ink
is summarised as a profile (leftmost and rightmost ink per horizontal band, in
page px relative to its pen point), and the next letter is placed so that the
closest facing bands are one gap apart, as a hand moves the pen on after the
last stroke it can see. Kerning is limited so a letter never tucks far under
its neighbour's overhang.
"""

from __future__ import annotations

import math

import numpy as np

from .geometry import Affine

# Horizontal bands per char_size: fine enough to see the bar of an F apart from its stem.
PROFILE_BINS = 16
# A band also faces its neighbours this many bands up and down (strokes are not flat lines).
BAND_REACH = 1
# A letter's ink box may reach under its left neighbour's by at most this share of char_size.
MAX_TUCK = 0.2

Profile = tuple[np.ndarray, np.ndarray, np.ndarray]  # band index, leftmost x, rightmost x


def ink_profile(bitmap: np.ndarray, local: Affine, band: float) -> Profile | None:
    """Leftmost and rightmost ink per band of ``band`` page px, for a glyph bitmap placed by ``local``."""
    ink = np.asarray(bitmap) >= 0.5
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return None
    sub = ink[rows]
    n = rows.size
    points = np.empty((2 * n, 2))
    points[:n, 0] = sub.argmax(axis=1)  # leftmost ink
    points[n:, 0] = sub.shape[1] - sub[:, ::-1].argmax(axis=1)  # right edge of the rightmost ink
    points[:n, 1] = points[n:, 1] = rows + 0.5
    points = local.apply(points)
    return _bands(points[:n], points[n:], band)


def mark_profile(extent: tuple[float, float, float, float], band: float) -> Profile:
    """A procedural mark's profile: its box (marks are small, their box is their ink)."""
    x0, y0, x1, y1 = extent
    bands = np.arange(math.floor(y0 / band), math.floor(y1 / band) + 1)
    return bands, np.full(len(bands), x0), np.full(len(bands), x1)


def _bands(left_pts: np.ndarray, right_pts: np.ndarray, band: float) -> Profile:
    n = len(left_pts)
    index = np.floor(np.concatenate([left_pts[:, 1], right_pts[:, 1]]) / band).astype(np.int64)
    lo = int(index.min())
    index -= lo
    size = int(index.max()) + 1
    left = np.full(size, np.inf)
    right = np.full(size, -np.inf)
    np.minimum.at(left, index[:n], left_pts[:, 0])
    np.maximum.at(right, index[n:], right_pts[:, 0])
    has_left, has_right = np.isfinite(left), np.isfinite(right)
    present = has_left | has_right
    left = np.where(has_left, left, right)
    right = np.where(has_right, right, left)
    return np.flatnonzero(present) + lo, left[present], right[present]


def pair_advance(a: Profile, gap: float, b: Profile, char_size: float) -> float:
    """Pen advance from letter ``a`` to letter ``b`` so their facing inks are ``gap`` apart.

    The boxes compared for the tuck limit are the inks' own extremes, not the bounds of
    a sheared and rotated ink box, which reach past the ink.
    """
    a_bands, _, a_right = a
    b_bands, b_left, _ = b
    by_box = gap + float(a_right.max()) - float(b_left.min())
    lo = min(a_bands.min(), b_bands.min()) - BAND_REACH
    size = max(a_bands.max(), b_bands.max()) - lo + 1 + BAND_REACH
    reach = np.full(size, -np.inf)
    for shift in range(-BAND_REACH, BAND_REACH + 1):
        np.maximum.at(reach, a_bands - lo + shift, a_right)
    facing = reach[b_bands - lo]
    seen = np.isfinite(facing)
    if not seen.any():
        return by_box
    closest = float(np.min(b_left[seen] - facing[seen]))
    return max(gap - closest, by_box - MAX_TUCK * char_size)
