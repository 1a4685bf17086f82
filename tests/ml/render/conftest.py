"""Synthetic glyphs for the renderer tests: rectangles and rings drawn with numpy.

Shared as fixtures (not imports) so no other conftest.py can shadow them.
"""

import numpy as np
import pytest

from ml.render import RenderOptions, is_drawn_procedurally


def rect_glyph(height: int = 20, width: int = 8, value: int = 255) -> np.ndarray:
    """A solid bar centred in a 28×28 frame, like an MNIST-normalised stroke."""
    g = np.zeros((28, 28), dtype=np.uint8)
    top, left = (28 - height) // 2, (28 - width) // 2
    g[top : top + height, left : left + width] = value
    return g


def ring_glyph(outer: float = 9.0, inner: float = 6.0) -> np.ndarray:
    yy, xx = np.mgrid[:28, :28]
    d = np.hypot(yy - 13.5, xx - 13.5)
    return (((d <= outer) & (d >= inner)) * 255).astype(np.uint8)


def glyphs_for(text: str, glyph=None, per_char: dict | None = None) -> list:
    """One glyph per drawable character of ``text`` (None for spaces and renderer-drawn punctuation)."""
    out = []
    for ch in text:
        if ch.isspace() or is_drawn_procedurally(ch):
            out.append(None)
        elif per_char and ch in per_char:
            out.append(per_char[ch])
        else:
            out.append(rect_glyph() if glyph is None else glyph)
    return out


@pytest.fixture
def rect():
    return rect_glyph


@pytest.fixture
def ring():
    return ring_glyph


@pytest.fixture
def glyphs():
    return glyphs_for


@pytest.fixture
def still() -> RenderOptions:
    """No jitter, no slant, each glyph's own strokes: positions follow the geometric rules exactly.

    The page pen (``uniform``) is tested on its own with stroke-like glyphs; a solid bar
    has no stroke to even out.
    """
    return RenderOptions(width=600, char_size=40, jitter=0.0, seed=1, uniform=False)
