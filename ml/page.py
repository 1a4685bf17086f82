"""Text to a page of handwriting: the whole pipeline in one call, for the worker, the CLI and tests.

``write_page`` draws every glyph in one hand (``ml.writer``), lays them out with
the page's pen (``ml.render``) and keeps both, so a caller stores the glyph sheet
beside the image and can paint the same page again as SVG. The web worker is a
thin adapter around it: it decides which models are loaded and where the bytes go.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from ml.render import Layout, RenderOptions, layout_text, render_png, render_svg
from ml.writer import DEFAULT_MAX_REDRAWS, GlyphDrawer, GlyphReader, GlyphSheet, write_glyphs


@dataclass(frozen=True)
class Page:
    """A written page: the drawn glyphs (with each one's reading) and their layout."""

    sheet: GlyphSheet
    layout: Layout
    timings: dict[str, float] = field(default_factory=dict)  # ms per phase

    def png(self) -> bytes:
        return render_png(self.layout)

    def svg(self) -> str:
        return render_svg(self.layout)


def page_options(options: RenderOptions | dict | None, seed: int) -> RenderOptions:
    """The render options of a page written with style seed ``seed`` (the jitter follows the hand)."""
    if options is None:
        return RenderOptions(seed=seed)
    if isinstance(options, dict):
        return RenderOptions.from_dict({**options, "seed": seed})
    return replace(options, seed=seed)


def write_page(
    text: str,
    drawers: dict[str, GlyphDrawer],
    *,
    seed: int,
    options: RenderOptions | dict | None = None,
    readers: dict[str, GlyphReader | None] | None = None,
    max_redraws: int = DEFAULT_MAX_REDRAWS,
) -> Page:
    """Write ``text`` in the hand fixed by ``seed``; raises ValueError for text or options it cannot write."""
    opts = page_options(options, seed)
    started = time.perf_counter()
    sheet = write_glyphs(text, drawers, seed=seed, readers=readers, max_redraws=max_redraws)
    drawn = time.perf_counter()
    layout = layout_text(text, sheet.glyphs, opts)
    timings = {"glyphs_ms": (drawn - started) * 1000.0, "layout_ms": (time.perf_counter() - drawn) * 1000.0}
    return Page(sheet=sheet, layout=layout, timings=timings)
