"""2-D affine maps shared by layout, raster and vector output.

A placed glyph is stored as *source data plus one affine map* (source → page)
rather than as pixels, so the PNG and the SVG are drawn from the same geometry
and the SVG stays resolution-independent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Affine:
    """x' = a·x + b·y + c,  y' = d·x + e·y + f  (page y points down)."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0
    e: float = 1.0
    f: float = 0.0

    @staticmethod
    def translate(dx: float, dy: float) -> Affine:
        return Affine(1.0, 0.0, dx, 0.0, 1.0, dy)

    @staticmethod
    def scale(sx: float, sy: float | None = None) -> Affine:
        return Affine(sx, 0.0, 0.0, 0.0, sx if sy is None else sy, 0.0)

    @staticmethod
    def rotate(degrees: float) -> Affine:
        r = math.radians(degrees)
        cos, sin = math.cos(r), math.sin(r)
        return Affine(cos, -sin, 0.0, sin, cos, 0.0)

    @staticmethod
    def slant(degrees: float) -> Affine:
        """Shear about the baseline (y = 0): ink above it leans right for positive angles."""
        return Affine(1.0, -math.tan(math.radians(degrees)), 0.0, 0.0, 1.0, 0.0)

    def then(self, other: Affine) -> Affine:
        """The map that applies ``self`` first, then ``other``."""
        o = other
        return Affine(
            o.a * self.a + o.b * self.d,
            o.a * self.b + o.b * self.e,
            o.a * self.c + o.b * self.f + o.c,
            o.d * self.a + o.e * self.d,
            o.d * self.b + o.e * self.e,
            o.d * self.c + o.e * self.f + o.f,
        )

    def inverse(self) -> Affine:
        det = self.a * self.e - self.b * self.d
        if abs(det) < 1e-12:
            raise ValueError("affine map is not invertible")
        a, b, d, e = self.e / det, -self.b / det, -self.d / det, self.a / det
        return Affine(a, b, -(a * self.c + b * self.f), d, e, -(d * self.c + e * self.f))

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Map an (N, 2) array of (x, y) points."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        out = pts @ np.array([[self.a, self.d], [self.b, self.e]])
        out += (self.c, self.f)
        return out

    @property
    def scale_factor(self) -> float:
        """Linear size change (square root of the area change); rotation and shear leave it at 1."""
        return math.sqrt(abs(self.a * self.e - self.b * self.d))

    def coefficients(self) -> tuple[float, float, float, float, float, float]:
        """The six numbers in Pillow's ``Image.transform(AFFINE)`` order."""
        return (self.a, self.b, self.c, self.d, self.e, self.f)


def bounds(points: np.ndarray, pad: float = 0.0) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a point cloud, grown by ``pad`` on every side."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return (
        float(pts[:, 0].min() - pad),
        float(pts[:, 1].min() - pad),
        float(pts[:, 0].max() + pad),
        float(pts[:, 1].max() + pad),
    )
