"""Which ink components of a drawn glyph belong to the character, and which are specks.

A GAN sometimes leaves a small blob beside the letter it drew. The evaluator
still reads the letter, but on a page the blob sits in the word as a stray dot
("Qu.ick"). A separate piece of ink is part of the character when it is large
(a broken stroke of E or 5), stroke-like (longer than it is thick: the flag of
a 5, the bar of a t), or the dot of i or j above the body; anything else is a
speck. Connected components come from OpenCV, imported on first use so the web
process, which only validates render options, does not load it.
"""

from __future__ import annotations

import numpy as np

from . import opencv
from .stroke import ridge_width

# Letters whose dot is a separate component above the body.
DOTTED = frozenset("ij")
# A component holding at least this share of the glyph's ink is part of the character.
MAJOR_SHARE = 0.2
# A smaller component is still a stroke when its longer side exceeds this many
# pen widths (a speck is about as long as it is thick).
STROKE_LENGTH = 2.5
# A piece of ink smaller than this (in source pixels, summed intensity) is noise, dot or not.
MIN_PIECE = 3.0


def _labels(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    cv2 = opencv.cv2()

    count, labels, stats, _ = cv2.connectedComponentsWithStats(_as_uint8(mask), connectivity=8)
    return count, labels, stats


def _as_uint8(mask: np.ndarray) -> np.ndarray:
    mask = np.ascontiguousarray(mask)
    return mask.view(np.uint8) if mask.dtype == np.bool_ else mask.astype(np.uint8)


def split_components(ink: np.ndarray, mask: np.ndarray, ch: str) -> tuple[np.ndarray, int]:
    """(the part of ``mask`` that belongs to ``ch``, how many specks were left out).

    ``ink`` holds intensities (uint8 or 0..1 floats), ``mask`` the thresholded ink.
    """
    count, labels, stats = _labels(mask)
    if count <= 2:  # background plus at most one component
        return mask, 0
    pen = ridge_width(mask)
    mass = np.bincount(labels.ravel(), weights=ink.ravel().astype(np.float64), minlength=count)[1:]
    if ink.dtype == np.uint8:
        mass /= 255.0
    total = float(mass.sum())
    main = int(np.argmax(mass))
    main_top = int(stats[main + 1, 1])
    keep = np.zeros(count, dtype=bool)
    keep[main + 1] = True
    dot: tuple[float, int] | None = None
    specks = 0
    for k in range(count - 1):
        if k == main:
            continue
        _, top, width, height, _ = stats[k + 1]
        if mass[k] >= MAJOR_SHARE * total or (
            mass[k] >= MIN_PIECE and max(width, height) > STROKE_LENGTH * max(pen, 1.0)
        ):
            keep[k + 1] = True
        elif ch in DOTTED and mass[k] >= MIN_PIECE and top + height <= main_top + 2:
            if dot is not None:
                specks += 1
            if dot is None or mass[k] > dot[0]:
                dot = (float(mass[k]), k + 1)
        else:
            specks += 1
    if dot is not None:
        keep[dot[1]] = True
    return keep[labels] & mask, specks
