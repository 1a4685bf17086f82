"""Punctuation drawn procedurally as pen strokes.

There is no training data for `. , ! ? ' " - : ; ( )`, yet ordinary sentences
need them.  Each mark is a few polylines (a single point is a dot) in
char_size units — x to the right from the mark's left edge, y up from the
baseline — placed where handwriting puts it: period and comma on the
baseline (the comma's tail dipping below), quotes at cap height, the hyphen
at mid x-height, parentheses from the cap line down to the descender line.
The caller draws them with the stroke width measured on neighbouring glyphs,
so a mark looks written by the same pen.  Control points wobble with the
same seeded jitter as the glyphs.
"""

from __future__ import annotations

import numpy as np

PUNCTUATION = frozenset(".,!?'\"-:;()")
# A dot is pressed a little wider than the pen line.
DOT_SCALE = 1.3
# Control-point wobble in char_size units at jitter = 1.
_WOBBLE = 0.025

Stroke = np.ndarray  # (M, 2) points; M == 1 is a dot


def punctuation_supported() -> frozenset[str]:
    """Characters the renderer draws itself (the caller passes None as their glyph)."""
    return PUNCTUATION


def is_drawn_procedurally(ch: str) -> bool:
    return ch in PUNCTUATION


def _quad(p0, p1, p2, n: int = 12) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1, p2 = (np.asarray(p, dtype=np.float64) for p in (p0, p1, p2))
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


def _cubic(p0, p1, p2, p3, n: int = 16) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1, p2, p3 = (np.asarray(p, dtype=np.float64) for p in (p0, p1, p2, p3))
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _comma(x: float, y: float, dot_r: float) -> list[tuple]:
    """A comma whose head sits at (x, y): head dot, then a tail curving down-left."""
    head = (x, y + dot_r)
    return [("dot", head), ("quad", head, (x + 0.02, y - 0.06), (x - 0.05, y - 0.17))]


def _shapes(ch: str, xh: float, desc: float, dot_r: float) -> list[tuple]:
    """Control points of a mark, before jitter; each item is ('dot', p), ('line', p, q, ...) or a curve."""
    if ch == ".":
        return [("dot", (0.0, dot_r))]
    if ch == ",":
        return _comma(0.05, 0.0, dot_r)
    if ch == "!":
        return [("line", (0.05, 1.0), (0.015, 0.28)), ("dot", (0.0, dot_r))]
    if ch == "?":
        return [
            ("cubic", (0.0, 0.8), (0.0, 1.04), (0.36, 1.06), (0.36, 0.8)),
            ("cubic", (0.36, 0.8), (0.36, 0.6), (0.18, 0.58), (0.18, 0.3)),
            ("dot", (0.18, dot_r)),
        ]
    if ch == "'":
        return [("line", (0.04, 1.0), (0.0, 0.76))]
    if ch == '"':
        return [("line", (0.04, 1.0), (0.0, 0.76)), ("line", (0.17, 1.0), (0.13, 0.76))]
    if ch == "-":
        return [("line", (0.0, xh * 0.5), (0.36, xh * 0.53))]
    if ch == ":":
        return [("dot", (0.0, xh * 0.72)), ("dot", (0.0, dot_r))]
    if ch == ";":
        return [("dot", (0.05, xh * 0.72)), *_comma(0.05, 0.0, dot_r)]
    if ch == "(":
        return [("quad", (0.2, 1.02), (-0.12, (1.0 - desc) / 2.0), (0.2, -desc))]
    if ch == ")":
        return [("quad", (0.0, 1.02), (0.32, (1.0 - desc) / 2.0), (0.0, -desc))]
    raise ValueError(f"{ch!r} is not a procedurally drawn punctuation mark")


def pen_strokes(
    ch: str,
    *,
    x_height: float,
    descender: float,
    stroke_em: float,
    jitter: float,
    rng: np.random.Generator,
) -> list[Stroke]:
    """The strokes of ``ch`` in char_size units, left ink edge (stroke rim included) at x = 0.

    ``stroke_em`` is the pen width in char_size units; it sets the dot size and
    how far the strokes are shifted so their round caps start at x = 0.
    """
    dot_r = stroke_em * DOT_SCALE / 2.0
    strokes: list[Stroke] = []
    for kind, *points in _shapes(ch, x_height, descender, dot_r):
        pts = np.asarray(points, dtype=np.float64)
        pts = pts + rng.normal(0.0, _WOBBLE * jitter, size=pts.shape)
        if kind == "dot":
            strokes.append(pts[:1])
        elif kind == "line":
            strokes.append(pts)
        elif kind == "quad":
            strokes.append(_quad(*pts))
        else:
            strokes.append(_cubic(*pts))
    left = min(float((s[:, 0] - (dot_r if len(s) == 1 else stroke_em / 2.0)).min()) for s in strokes)
    return [s - np.array([left, 0.0]) for s in strokes]
