"""Which handwritten forms of I and i cannot be read as l: the ``distinct_forms`` training option.

Most people write capital I, small i without its dot, and l as the same single
stroke. A case-aware generator trained on every such image learns to draw that
stroke for all three, and then nobody can tell which letter was meant: the
letters generator's I, i and l were its three weakest classes (0.83, 0.85, 0.89
read as asked). Print-script teaching keeps them apart with two marks: bars
(serifs) on the capital and a dot on the small letter. With ``distinct_forms`` the
training set keeps only the I images that have bars and the i images that have a
dot; the mark also tells the case of images whose case the pool does not record.
The rules look at the image only (ink rows and widths), never at a classifier, and
they touch the training split only: the test set and every reference stay as they
were.
"""

from __future__ import annotations

import numpy as np

INK = 96  # a pixel at or above this is ink (images are white ink on black, 0..255)


def _ink_rows(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mask = image >= INK
    return mask, np.flatnonzero(mask.any(axis=1))


def has_dot(image: np.ndarray) -> bool:
    """Ink, then at least one empty row, then a stem below with more than twice the ink: a dotted i."""
    mask, rows = _ink_rows(image)
    if len(rows) < 4:
        return False
    empty = np.flatnonzero(~mask[rows[0]:rows[-1] + 1].any(axis=1))
    if len(empty) == 0:
        return False
    split = rows[0] + empty[0]
    above, below = mask[:split].sum(), mask[split:].sum()
    return 0 < above < 0.5 * below


def has_bars(image: np.ndarray) -> bool:
    """The ink's top and bottom fifths each reach more than twice the middle's width (plus 3 px): a barred I."""
    mask, rows = _ink_rows(image)
    if len(rows) < 8:
        return False
    widths = np.array([np.ptp(np.flatnonzero(r)) + 1 if r.any() else 0 for r in mask[rows[0]:rows[-1] + 1]])
    band = max(2, len(widths) // 5)
    wide = 2 * np.median(widths[band:-band]) + 3
    return bool(widths[:band].max() >= wide and widths[-band:].max() >= wide)


def distinct_i_forms(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(barred capital I?, dotted small i?) for images of the letter i/I; an image is at most one of them."""
    bars = np.array([has_bars(x) for x in images], dtype=bool)
    dots = np.array([has_dot(x) for x in images], dtype=bool) & ~bars
    return bars, dots
