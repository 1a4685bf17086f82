"""Merging GAN-drawn glyphs into a page of handwriting (numpy, Pillow, and OpenCV when drawing).

Importable by the web process and by tests without TensorFlow or Django; OpenCV
(distance transforms, connected components) is imported only by the functions
that draw, so the web process, which only validates options, never loads it::

    layout = layout_text(text, glyphs, RenderOptions(width=900, seed=7))
    png = render_png(layout)
    svg = render_svg(layout)

``glyphs[i]`` is the 28×28 uint8 bitmap (white ink on black) drawn for
``text[i]``, or None for spaces, newlines and characters for which
``is_drawn_procedurally`` is true.
"""

from .glyphs import glyph_is_blank, glyphs_are_blank, ink_bbox, speck_counts, stroke_width
from .layout import Layout, PlacedGlyph, layout_text
from .options import RenderOptions
from .punctuation import is_drawn_procedurally, punctuation_supported
from .raster import coverage, render_image, render_png
from .vector import render_svg

__all__ = [
    "Layout",
    "PlacedGlyph",
    "RenderOptions",
    "coverage",
    "glyph_is_blank",
    "glyphs_are_blank",
    "ink_bbox",
    "is_drawn_procedurally",
    "layout_text",
    "punctuation_supported",
    "render_image",
    "render_png",
    "render_svg",
    "speck_counts",
    "stroke_width",
]
