"""Painting a layout as SVG, for printing at any size.

Drawn glyphs are traced from their source bitmap at half intensity (the
same contour the PNG keeps at half coverage) and the outline is mapped
through the glyph's affine, so the vector is as sharp at poster size as at
screen size.  The traced polygon is drawn as quadratic curves through its
edge midpoints, which removes the pixel staircase without moving the outline
by more than a fraction of a source pixel.  Procedural marks stay true pen
strokes with round caps.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import numpy as np

from .contour import loops
from .geometry import Affine
from .layout import Layout, PlacedGlyph
from .options import RenderOptions

TRACE_LEVEL = 0.5
# Traced outlines are written in 1/TRACE_UNITS px, inside a group scaled back.
TRACE_UNITS = 10
# Contour points are pixel-index coordinates; pixel (r, c) covers [c, c+1] × [r, r+1].
_CENTRE = Affine.translate(0.5, 0.5)


def _xml_text(text: str) -> str:
    """Escape for XML, dropping control characters XML 1.0 cannot hold."""
    return escape("".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20))


def _num(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _smooth_loop(pts: np.ndarray) -> str:
    """Closed path through the midpoints of the polygon's edges, bending at its vertices.

    Coordinates are integers in tenths of a pixel (the traced group is scaled by
    0.1): formatting integers is several times faster than floats, and repeated
    quadratic segments need no repeated 'Q'.
    """
    mids = (pts + np.roll(pts, -1, axis=0)) / 2.0
    tenths = np.rint(np.concatenate([pts, mids], axis=1) * TRACE_UNITS).astype(np.int64)
    start = tenths[-1, 2:]
    return f"M{start[0]} {start[1]}Q" + " ".join(map(str, tenths.ravel().tolist())) + "Z"


def _glyph_path(g: PlacedGlyph) -> str | None:
    to_page = _CENTRE.then(g.transform)
    outline = [_smooth_loop(to_page.apply(loop)) for loop in loops(g.bitmap, TRACE_LEVEL)]
    return "".join(outline) or None


def _mark_elements(g: PlacedGlyph) -> list[str]:
    elements = []
    width = _num(g.stroke_width)
    for stroke in g.strokes:
        pts = g.transform.apply(stroke)
        if len(pts) == 1:
            cx, cy = pts[0]
            elements.append(
                f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(g.dot_radius)}" stroke="none"/>'
            )
            continue
        d = "M" + " L".join(f"{_num(x)} {_num(y)}" for x, y in pts)
        elements.append(f'<path d="{d}" fill="none" stroke-width="{width}"/>')
    return elements


def render_svg(layout: Layout, options: RenderOptions | None = None) -> str:
    """A standalone SVG document of the page (ink colour and background from ``options``)."""
    opts = options if options is not None else layout.options
    r, g_, b = opts.ink_rgb
    ink = f"#{r:02x}{g_:02x}{b:02x}"
    w, h = layout.width, layout.height
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
        f"<title>{_xml_text(layout.text)}</title>",
    ]
    if opts.background == "white":
        out.append(f'<rect width="{w}" height="{h}" fill="#ffffff"/>')
    out.append(f'<g fill="{ink}" fill-rule="evenodd" transform="scale({1 / TRACE_UNITS})">')
    for g in layout.glyphs:
        d = _glyph_path(g) if g.bitmap is not None else None
        if d:
            out.append(f"<path d={quoteattr(d)} data-char={quoteattr(g.char)}/>")
    out.append("</g>")
    out.append(f'<g fill="{ink}" stroke="{ink}" stroke-linecap="round" stroke-linejoin="round">')
    for g in layout.glyphs:
        if g.strokes:
            out.extend(_mark_elements(g))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
