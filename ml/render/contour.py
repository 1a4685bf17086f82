"""Marching squares on a grayscale glyph: iso-contours at sub-pixel precision.

Used twice: the contour length gives an accurate stroke perimeter for
measuring stroke width (pixel-edge counting over-states diagonal strokes by up
to √2), and the closed loops become the SVG outline of each glyph.  Numpy only;
the per-cell work is vectorised, only the loop linking is plain Python over a
few hundred segments per glyph.
"""

from __future__ import annotations

import numpy as np

# Cell edges: top, right, bottom, left.
_T, _R, _B, _L = range(4)
# case bit: a (top-left)=1, b (top-right)=2, c (bottom-right)=4, d (bottom-left)=8
_SEGMENTS = {
    1: ((_L, _T),),
    2: ((_T, _R),),
    3: ((_L, _R),),
    4: ((_R, _B),),
    6: ((_T, _B),),
    7: ((_L, _B),),
    8: ((_L, _B),),
    9: ((_T, _B),),
    11: ((_R, _B),),
    12: ((_L, _R),),
    13: ((_T, _R),),
    14: ((_L, _T),),
}
# Saddles: which corners get cut off depends on the cell centre.
_SADDLE = {
    (5, True): ((_T, _R), (_L, _B)),
    (5, False): ((_L, _T), (_R, _B)),
    (10, True): ((_L, _T), (_R, _B)),
    (10, False): ((_T, _R), (_L, _B)),
}


def _table() -> np.ndarray:
    """(case, centre inside) → up to two (edge, edge) segments, -1 where absent."""
    table = np.full((16, 2, 2, 2), -1, dtype=np.int64)
    for case, pairs in _SEGMENTS.items():
        table[case, :, : len(pairs)] = pairs
    for (case, inside), pairs in _SADDLE.items():
        table[case, int(inside)] = pairs
    return table


_TABLE = _table()


def _fraction(u: np.ndarray, v: np.ndarray, level: float) -> np.ndarray:
    """Where ``level`` lies between u and v; only read for edges the contour crosses (u ≠ v there)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (level - u) / (v - u)


def segments(image: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """All contour segments of ``image`` at ``level``.

    Returns ``(points, edge_ids)``: points is (N, 2, 2) — N segments of two
    (x, y) points in pixel-index coordinates (pixel (r, c) centre at x=c, y=r);
    edge_ids is (N, 2), a unique id of the grid edge each end lies on, so that
    segments can be chained into loops.  Pad the image with zeros first to get
    closed loops only.
    """
    f = np.asarray(image, dtype=np.float64)
    h, w = f.shape
    if h < 2 or w < 2:
        return np.zeros((0, 2, 2)), np.zeros((0, 2), dtype=np.int64)
    a, b, c, d = f[:-1, :-1], f[:-1, 1:], f[1:, 1:], f[1:, :-1]
    case = (a >= level) * 1 + (b >= level) * 2 + (c >= level) * 4 + (d >= level) * 8
    centre = (a + b + c + d) / 4.0 >= level
    rows, cols = np.nonzero((case != 0) & (case != 15))
    if rows.size == 0:
        return np.zeros((0, 2, 2)), np.zeros((0, 2), dtype=np.int64)
    av, bv, cv, dv = a[rows, cols], b[rows, cols], c[rows, cols], d[rows, cols]
    r, col = rows.astype(np.float64), cols.astype(np.float64)
    # Point and edge id on each of the four edges of every boundary cell.
    pts = np.empty((rows.size, 4, 2))
    pts[:, _T] = np.stack([col + _fraction(av, bv, level), r], axis=1)
    pts[:, _R] = np.stack([col + 1, r + _fraction(bv, cv, level)], axis=1)
    pts[:, _B] = np.stack([col + _fraction(dv, cv, level), r + 1], axis=1)
    pts[:, _L] = np.stack([col, r + _fraction(av, dv, level)], axis=1)
    horizontal = h * w
    ids = np.empty((rows.size, 4), dtype=np.int64)
    ids[:, _T] = rows * w + cols
    ids[:, _B] = (rows + 1) * w + cols
    ids[:, _L] = horizontal + rows * w + cols
    ids[:, _R] = horizontal + rows * w + cols + 1

    seg = _TABLE[case[rows, cols], centre[rows, cols].astype(np.int64)]  # (n, 2 slots, 2 ends)
    cell, slot = np.nonzero(seg[:, :, 0] >= 0)
    ends = seg[cell, slot]  # (N, 2) edge numbers
    return pts[cell[:, None], ends], ids[cell[:, None], ends]


def contour_length(image: np.ndarray, level: float) -> float:
    """Total length of the iso-contours, in pixels."""
    pts, _ = segments(image, level)
    if len(pts) == 0:
        return 0.0
    return float(np.linalg.norm(pts[:, 0] - pts[:, 1], axis=1).sum())


def loops(image: np.ndarray, level: float) -> list[np.ndarray]:
    """Closed contour loops, each an (M, 2) array of (x, y) points (pixel-index coordinates).

    On a zero-padded image every edge point is shared by exactly two segments,
    so each point has two neighbours and walking from neighbour to neighbour
    closes each loop.  Loops carry no orientation; fill them with the
    even-odd rule.
    """
    img = np.asarray(image, dtype=np.float64)
    padded = np.zeros((img.shape[0] + 2, img.shape[1] + 2))
    padded[1:-1, 1:-1] = img
    pts, ids = segments(padded, level)
    if len(pts) == 0:
        return []
    edge_ids, nodes = np.unique(ids, return_inverse=True)
    nodes = nodes.reshape(-1, 2)
    coords = np.empty((len(edge_ids), 2))
    coords[nodes[:, 0]] = pts[:, 0] - 1.0  # undo the padding
    coords[nodes[:, 1]] = pts[:, 1] - 1.0
    sources = np.concatenate([nodes[:, 0], nodes[:, 1]])
    targets = np.concatenate([nodes[:, 1], nodes[:, 0]])
    neighbours = targets[np.argsort(sources, kind="stable")].reshape(-1, 2).tolist()
    seen = bytearray(len(edge_ids))
    result = []
    for start in range(len(edge_ids)):
        if seen[start]:
            continue
        chain, prev, cur = [start], start, neighbours[start][0]
        seen[start] = 1
        while not seen[cur]:
            seen[cur] = 1
            chain.append(cur)
            first, second = neighbours[cur]
            prev, cur = cur, (second if first == prev else first)
        if len(chain) >= 3:
            result.append(coords[chain])
    return result
