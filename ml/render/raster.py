"""Painting a layout into pixels (PNG).

Drawn glyphs are resampled once, straight from their 28 px source to the
page through their affine map (bicubic: scale, slant and jitter rotation in a
single anti-aliased step), then their edges are firmed up so a 2–5× enlarged
MNIST stroke reads as a pen line rather than a blur.  Procedural marks are
drawn with round caps on a 4× supersampled canvas and box-filtered down.
Ink coverage is combined with max (overlapping strokes of one pen do not get
darker) and used as the alpha of the ink colour.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw

from .geometry import Affine
from .layout import Layout, PlacedGlyph
from .options import RenderOptions

SUPERSAMPLE = 4
# Intensity ramp mapped to 0..1 coverage: the half-intensity contour (where
# strokes are measured and traced for SVG) stays at half coverage, haze below
# EDGE_LOW disappears, and edges sharpen to ~1–2 px.
EDGE_LOW, EDGE_HIGH = 0.25, 0.75
# Mostly-blank pages compress about as well at level 1 as at 6 (35 KB against 31 KB for a
# 100-character page, 342 against 306 KB for 1,000) in half the time of level 3 and a third
# to a fifth of level 6; the user waits for it.
PNG_COMPRESS_LEVEL = 1


def _patch_box(g: PlacedGlyph, width: int, height: int) -> tuple[int, int, int, int] | None:
    x0, y0, x1, y1 = g.bbox
    box = (
        max(math.floor(x0) - 2, 0),
        max(math.floor(y0) - 2, 0),
        min(math.ceil(x1) + 2, width),
        min(math.ceil(y1) + 2, height),
    )
    return box if box[2] > box[0] and box[3] > box[1] else None


def _glyph_coverage(g: PlacedGlyph, box: tuple[int, int, int, int], sources: dict) -> np.ndarray:
    x0, y0, x1, y1 = box
    to_patch = g.transform.then(Affine.translate(-x0, -y0)).inverse()
    key = id(g.bitmap)  # a drawing used for several characters is converted once
    source = sources.get(key)
    if source is None:
        source = sources[key] = Image.fromarray(np.ascontiguousarray(g.bitmap, dtype=np.float32))
    out = source.transform(
        (x1 - x0, y1 - y0),
        Image.Transform.AFFINE,
        to_patch.coefficients(),
        resample=Image.Resampling.BICUBIC,
        fillcolor=0.0,
    )
    values = np.asarray(out, dtype=np.float32)
    return np.clip((values - EDGE_LOW) / (EDGE_HIGH - EDGE_LOW), 0.0, 1.0)


def _mark_coverage(g: PlacedGlyph, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    ss = SUPERSAMPLE
    canvas = Image.new("L", ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    draw = ImageDraw.Draw(canvas)
    to_canvas = g.transform.then(Affine.translate(-x0, -y0)).then(Affine.scale(ss))
    pen = g.stroke_width * ss
    for stroke in g.strokes:
        pts = to_canvas.apply(stroke)
        if len(pts) == 1:
            r = g.dot_radius * ss
            (cx, cy) = pts[0]
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
            continue
        draw.line([tuple(p) for p in pts], fill=255, width=max(round(pen), 1), joint="curve")
        for cx, cy in (pts[0], pts[-1]):  # round caps
            draw.ellipse((cx - pen / 2, cy - pen / 2, cx + pen / 2, cy + pen / 2), fill=255)
    return np.asarray(canvas.reduce(ss), dtype=np.float32) / 255.0


def glyph_alpha(g: PlacedGlyph, width: int, height: int) -> np.ndarray | None:
    """One placed glyph's coverage on its own patch of the page (None when it lies off the page)."""
    box = _patch_box(g, width, height)
    if box is None:
        return None
    return _glyph_coverage(g, box, {}) if g.bitmap is not None else _mark_coverage(g, box)


def coverage(layout: Layout) -> np.ndarray:
    """Ink coverage of the page, float32 (height, width) in 0..1."""
    page = np.zeros((layout.height, layout.width), dtype=np.float32)
    sources: dict[int, Image.Image] = {}
    for g in layout.glyphs:
        box = _patch_box(g, layout.width, layout.height)
        if box is None:
            continue
        alpha = _glyph_coverage(g, box, sources) if g.bitmap is not None else _mark_coverage(g, box)
        x0, y0, x1, y1 = box
        np.maximum(page[y0:y1, x0:x1], alpha, out=page[y0:y1, x0:x1])
    return page


def _palette(opts: RenderOptions) -> tuple[list[int], bytes | None]:
    """256 palette entries, one per coverage level: ink blended over white, or ink with that alpha."""
    if opts.background == "transparent":
        return list(opts.ink_rgb) * 256, bytes(range(256))
    a = np.arange(256, dtype=np.float64)[:, None] / 255.0
    table = np.rint(255.0 * (1.0 - a) + np.array(opts.ink_rgb, dtype=np.float64) * a).astype(np.uint8)
    return table.ravel().tolist(), None


def _indexed(layout: Layout, opts: RenderOptions) -> Image.Image:
    """The page as a palette image whose index is the ink coverage (0..255).

    One ink colour over one background needs only 256 colours, so the page is
    stored as one byte per pixel: a third of the data of RGB to compress.
    """
    levels = coverage(layout)
    np.multiply(levels, 255.0, out=levels)
    image = Image.fromarray(np.rint(levels, out=levels).astype(np.uint8))
    palette, alpha = _palette(opts)
    image.putpalette(palette)
    if alpha is not None:
        image.info["transparency"] = alpha
    return image


def render_image(layout: Layout, options: RenderOptions | None = None) -> Image.Image:
    """The page as a Pillow image: RGB on white, or RGBA when the background is transparent.

    Geometry always comes from ``layout``; ``options`` (default: the layout's
    own) only choose the ink colour and background, so one layout can be
    painted in several colours.
    """
    opts = options if options is not None else layout.options
    return _indexed(layout, opts).convert("RGBA" if opts.background == "transparent" else "RGB")


def render_png(layout: Layout, options: RenderOptions | None = None) -> bytes:
    """PNG bytes of the page (8-bit palette, with per-entry alpha when transparent).

    Identical inputs give identical bytes: no timestamps or other metadata.
    """
    opts = options if options is not None else layout.options
    image = _indexed(layout, opts)
    buffer = io.BytesIO()
    extra = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
    image.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, **extra)
    return buffer.getvalue()
