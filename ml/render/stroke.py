"""Stroke width from the distance transform: what "one pen" is measured by.

The median distance-to-background along the ink's ridge (its centre line) is the
width most strokes have; ends, joins and blobs move it little, unlike an
area / perimeter estimate. The page's pen (``pen``), the speck rule
(``components``) and the page measures (``measure``) all use it. OpenCV is
imported on first use.
"""

from __future__ import annotations

import numpy as np

from . import opencv

_KERNEL3 = np.ones((3, 3), np.uint8)


def ridge_width(mask: np.ndarray) -> float:
    """Stroke width in px: 2 × the median distance-to-background along the ridge (centre line), − ½.

    The distance is to the nearest background pixel's centre, so a stroke w px wide has
    ridge values of (w + 1) / 2 for odd w and w / 2 (on two ridge pixels) for even w;
    − ½ splits that difference.
    """
    cv2 = opencv.cv2()

    if not mask.any():
        return 0.0
    return ridge_width_of_distances(cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 5))


def ridge_width_of_distances(dist: np.ndarray) -> float:
    """``ridge_width`` from the distance transform of an ink mask with a background border."""
    cv2 = opencv.cv2()

    values = dist[(dist >= cv2.dilate(dist, _KERNEL3)) & (dist > 0)]
    if values.size == 0:
        return 0.0
    k = values.size // 2
    middle = np.partition(values, [k - 1, k] if values.size % 2 == 0 else k)
    median = float(middle[k]) if values.size % 2 else float(middle[k - 1] + middle[k]) / 2.0
    return max(2.0 * median - 0.5, 1.0)
