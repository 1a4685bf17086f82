"""Merging: from text + per-character glyph bitmaps to positioned glyphs on a page.

The result is pure geometry (each glyph's source data and one affine map from
source to page), so the PNG and SVG writers draw the same thing and tests can
check positions without decoding images.

Steps, in the order a hand writes: size each glyph from its character class
(see ``typography``), sit it on the baseline, wobble it with seeded jitter,
advance the pen by its ink width plus a pen-lift gap, break lines at spaces
(or inside a word longer than a line), and start a new line at each newline.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .geometry import Affine, bounds
from .glyphs import PreparedGlyph, bitmap_stroke_width, prepare_glyphs
from .options import RenderOptions
from .pen import Outline, glyph_slant, outline, repen, shear_to, upsample_factor
from .punctuation import DOT_SCALE, is_drawn_procedurally, pen_strokes
from .spacing import PROFILE_BINS, ink_profile, mark_profile, pair_advance
from .typography import vertical_span

# MNIST fits each digit into a 20 px box (EMNIST letters reach ~24 px), so a
# full-height glyph's ink is about this tall; it anchors the size limit below.
REFERENCE_INK_PX = 20.0
# A glyph is scaled so its ink fills its character class's height, but a glyph
# that arrives flat (wide letters such as m or w, which the datasets fit by
# width) is enlarged at most this much beyond the reference scale, so a
# degenerate flat stroke is not blown up into a giant smear.
MAX_HEIGHT_BOOST = 1.5
# The hand's own pen: this percentile of its glyphs' stroke widths. Above the median, so most
# glyphs are thickened (which keeps every stroke) rather than thinned (which can break one).
PEN_PERCENTILE = 70
# Tabs are four spaces; other whitespace counts as one space.
TAB_SPACES = 4
# Refuse images beyond this many pixels instead of exhausting memory.
MAX_PIXELS = 40_000_000

# Jitter amplitudes at jitter = 1, each multiplied by a clipped standard normal.
_BASELINE_JITTER = 0.035  # × char_size
_SIZE_JITTER = 0.05  # relative
_ROTATION_JITTER = 3.0  # degrees
_GAP_JITTER = 0.025  # × char_size
_STROKE_JITTER = 0.08  # relative
_NOISE_COLUMNS = 5
# Consecutive baseline offsets are correlated: a hand drifts up and down over a
# few letters rather than hopping independently at each one.
_BASELINE_CORRELATION = 0.6


@dataclass(frozen=True, eq=False)
class PlacedGlyph:
    """One character's ink on the page.

    A drawn glyph has ``bitmap`` (float32 0..1, source pixels); a procedural
    mark has ``strokes`` (polylines in char_size units, y up; one point is a
    dot).  ``transform`` maps source coordinates to page pixels and ``bbox``
    is the page ink box (x0, y0, x1, y1).
    """

    char: str
    index: int
    line: int
    transform: Affine
    bbox: tuple[float, float, float, float]
    bitmap: np.ndarray | None = None
    strokes: tuple[np.ndarray, ...] = ()
    mark_pen: float = 0.0  # page px a procedural mark is drawn with

    @cached_property
    def stroke_width(self) -> float:
        """Pen width in page px: a mark's own, or measured on a drawn glyph (on first use; it costs a trace)."""
        if self.bitmap is None:
            return self.mark_pen
        return bitmap_stroke_width(self.bitmap) * self.transform.scale_factor

    @property
    def dot_radius(self) -> float:
        return self.stroke_width * DOT_SCALE / 2.0


@dataclass(frozen=True, eq=False)
class Layout:
    """A page: its size, each line's baseline y, and the placed glyphs in text order."""

    text: str
    width: int
    height: int
    baselines: tuple[float, ...]
    glyphs: tuple[PlacedGlyph, ...]
    options: RenderOptions


@dataclass(eq=False)
class _Item:
    """A character measured at pen position 0 on baseline 0, before line breaking."""

    char: str
    index: int
    advance: float
    local: Affine | None = None  # None: no ink (space, blank glyph)
    extent: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    scale: float = 1.0  # source px → page px, for drawn glyphs
    mark_pen: float = 0.0
    bitmap: np.ndarray | None = None
    strokes: tuple[np.ndarray, ...] = ()
    is_space: bool = False
    gap: float = 0.0  # pen-lift gap to the next character's ink
    profile: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (bins, left, right) of the ink


@dataclass(frozen=True)
class _Pen:
    """The page's pen: one stroke width (page px) and one slant (degrees), or None to keep each glyph's own."""

    width: float | None
    slant: float | None


def _jitter_map(opts: RenderOptions, noise: np.ndarray, shear: float | None = None) -> Affine:
    """Slant (``shear`` = tan of the lean to add; None: the options' slant), rotation and baseline
    wobble about the pen point on the baseline."""
    j = opts.jitter
    lean = Affine(1.0, -shear, 0.0, 0.0, 1.0, 0.0) if shear is not None else Affine.slant(opts.slant or 0.0)
    wobble = Affine.rotate(_ROTATION_JITTER * j * noise[2])
    if shear is None:  # the original order: rotate, then the options' shear
        return wobble.then(lean).then(Affine.translate(0.0, _BASELINE_JITTER * j * noise[0] * opts.char_size))
    return lean.then(wobble).then(Affine.translate(0.0, _BASELINE_JITTER * j * noise[0] * opts.char_size))


def _gap(opts: RenderOptions, noise: np.ndarray) -> float:
    return opts.char_size * (opts.letter_spacing + _GAP_JITTER * opts.jitter * noise[3])


@dataclass(frozen=True)
class _Sized:
    """A prepared glyph with its page scale and, for the page's pen, its own stroke width and slant."""

    glyph: PreparedGlyph
    scale: float
    target: float  # page px the ink should span vertically
    shape: Outline | None = None  # for the page's pen
    own_slant: float = 0.0  # degrees

    @property
    def own_width(self) -> float:
        return self.shape.width if self.shape is not None else 0.0


def _size(ch: str, prepared: PreparedGlyph, opts: RenderOptions, noise: np.ndarray, measure: bool) -> _Sized:
    x0, y0, x1, y1 = prepared.ink_box
    top, bottom = vertical_span(ch, opts.x_height, opts.descender)
    target = (top - bottom) * opts.char_size * (1.0 + _SIZE_JITTER * opts.jitter * noise[1])
    scale = min(target / (y1 - y0), MAX_HEIGHT_BOOST * target / REFERENCE_INK_PX)
    if not measure:
        return _Sized(prepared, scale, target)
    return _Sized(prepared, scale, target, outline(prepared, upsample_factor(scale)), glyph_slant(prepared.bitmap))


def _pen_scale(sized: _Sized, pen_px: float) -> float:
    """The scale at which the glyph, redrawn with a ``pen_px`` pen, still spans its target height.

    Redrawing moves the outline by half the width change on each side, so the ink
    height h (source px, own width w) becomes h + w' − w with w' = pen_px / s; solving
    s · (h + pen_px / s − w) = target gives s = (target − pen_px) / (h − w).
    """
    _, y0, _, y1 = sized.glyph.ink_box
    core = (y1 - y0) - sized.own_width
    if core <= 1.0 or sized.target <= pen_px:
        return sized.scale
    limit = MAX_HEIGHT_BOOST * sized.target / REFERENCE_INK_PX
    return min(max((sized.target - pen_px) / core, 0.5 * sized.scale), 2.0 * sized.scale, limit)


def _page_pen(sized: list[_Sized], opts: RenderOptions) -> _Pen:
    """The one pen of a uniform page: the options' width and slant, else the median of its glyphs."""
    if not opts.uniform:
        return _Pen(None, None)
    if opts.pen_width is not None:
        width = opts.pen_width * opts.char_size
    else:
        widths = [s.own_width * s.scale for s in sized if s.own_width > 0]
        width = float(np.percentile(widths, PEN_PERCENTILE)) if widths else 0.1 * opts.char_size
    if opts.slant is not None:
        slant = float(opts.slant)
    else:
        slant = float(np.median([s.own_slant for s in sized])) if sized else 0.0
    return _Pen(width, slant)


def _glyph_item(ch: str, index: int, sized: _Sized | None, opts: RenderOptions, noise: np.ndarray,
                pen: _Pen) -> _Item:
    cs = opts.char_size
    gap = _gap(opts, noise)
    if sized is None:  # blank: keep its place so the rest of the text does not shift
        return _Item(ch, index, advance=opts.x_height * cs * 0.6 + gap, gap=gap)
    scale, glyph, shear, up = sized.scale, sized.glyph, None, 1
    if pen.width is not None and sized.shape is not None:
        scale = _pen_scale(sized, pen.width)
        shear = shear_to(sized.own_slant, pen.slant)
        redrawn = repen(sized.shape, pen.width / scale, ch)
        if redrawn is not None:  # else keep the source pixels
            glyph, up = redrawn, sized.shape.upsample
    x0, y0, x1, y1 = glyph.ink_box
    ink_h = y1 - y0
    top, bottom = vertical_span(ch, opts.x_height, opts.descender)
    above = top / (top - bottom)  # share of the ink box above the baseline
    local = (
        Affine.translate(-x0, -(y0 + above * ink_h))
        .then(Affine.scale(scale / up))
        .then(_jitter_map(opts, noise, shear))
    )
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    extent = bounds(local.apply(corners))
    return _Item(
        ch,
        index,
        advance=extent[2] + gap,
        local=local,
        extent=extent,
        scale=scale / up,
        bitmap=glyph.bitmap,
        gap=gap,
        profile=ink_profile(glyph.bitmap, local, cs / PROFILE_BINS),
    )


def _mark_item(ch: str, index: int, pen_px: float, opts: RenderOptions, noise: np.ndarray) -> _Item:
    cs = opts.char_size
    width_px = pen_px * (1.0 + _STROKE_JITTER * opts.jitter * noise[4])
    stroke_em = width_px / cs
    rng = np.random.default_rng([opts.seed, index])
    strokes = pen_strokes(
        ch,
        x_height=opts.x_height,
        descender=opts.descender,
        stroke_em=stroke_em,
        jitter=opts.jitter,
        rng=rng,
    )
    local = Affine.scale(cs, -cs).then(_jitter_map(opts, noise))
    dot_r = stroke_em * DOT_SCALE / 2.0
    right_em = max(float((s[:, 0] + (dot_r if len(s) == 1 else stroke_em / 2)).max()) for s in strokes)
    pad = width_px * DOT_SCALE / 2.0
    gap = _gap(opts, noise)
    extent = bounds(local.apply(np.concatenate(strokes)), pad=pad)
    return _Item(
        ch,
        index,
        advance=right_em * cs + gap,
        local=local,
        extent=extent,
        mark_pen=float(width_px),
        strokes=tuple(strokes),
        gap=gap,
        profile=mark_profile(extent, cs / PROFILE_BINS),
    )


class _PenGauge:
    """Pen width of the drawn glyphs nearest to a position in the text.

    Measuring a glyph's stroke costs a contour trace, so only the few glyphs
    next to punctuation are measured, each once.
    """

    def __init__(self, items: list[_Item | None], fallback: float, k: int = 4) -> None:
        self._drawn = {it.index: it for it in items if it is not None and it.bitmap is not None}
        self._order = sorted(self._drawn)
        self._widths: dict[int, float] = {}
        self._traced: dict[int, float] = {}  # by id of the bitmap: repeated drawings share one
        self._fallback, self._k = fallback, k

    def _width(self, index: int) -> float:
        if index not in self._widths:
            it = self._drawn[index]
            key = id(it.bitmap)
            if key not in self._traced:
                self._traced[key] = bitmap_stroke_width(it.bitmap)
            self._widths[index] = self._traced[key] * it.scale
        return self._widths[index]

    def near(self, index: int) -> float:
        """Median pen width of the k drawn glyphs nearest to ``index``."""
        if not self._order:
            return self._fallback
        pos = bisect.bisect_left(self._order, index)
        window = self._order[max(pos - self._k, 0) : pos + self._k]
        nearest = sorted(window, key=lambda i: (abs(i - index), i))[: self._k]
        return float(np.median([self._width(i) for i in nearest]))


def _noise(seed: int, count: int) -> np.ndarray:
    """Clipped standard normals, one row per character; column 0 (baseline) is an AR(1) walk."""
    noise = np.random.default_rng(seed).standard_normal((count, _NOISE_COLUMNS))
    rho = _BASELINE_CORRELATION
    for i in range(1, count):
        noise[i, 0] = rho * noise[i - 1, 0] + math.sqrt(1.0 - rho * rho) * noise[i, 0]
    return np.clip(noise, -2.5, 2.5)


def _measure(text: str, glyphs: Sequence[object | None], opts: RenderOptions) -> list[_Item | None]:
    """One item per character (None for a line break)."""
    noise = _noise(opts.seed, len(text))
    space = _Item(" ", -1, advance=0.0, is_space=True)
    items: list[_Item | None] = [space] * len(text)
    drawn: list[int] = []  # positions with a GAN glyph, prepared together below
    for i, ch in enumerate(text):
        glyph = glyphs[i]
        if ch in "\n\r":
            if glyph is not None:
                raise ValueError(f"position {i}: a line break takes no glyph (pass None)")
            items[i] = None
        elif ch.isspace():
            if glyph is not None:
                raise ValueError(f"position {i}: a space takes no glyph (pass None)")
            count = TAB_SPACES if ch == "\t" else 1
            width = opts.char_size * max(opts.word_spacing + _GAP_JITTER * opts.jitter * noise[i, 3], 0.0)
            items[i] = _Item(ch, i, advance=count * width, is_space=True)
        elif is_drawn_procedurally(ch):
            if glyph is not None:
                raise ValueError(f"position {i}: {ch!r} is drawn by the renderer; pass None as its glyph")
        elif glyph is not None:
            drawn.append(i)
        else:
            raise ValueError(
                f"position {i}: no glyph for {ch!r}, and it is not punctuation the renderer draws"
            )
    prepared = prepare_glyphs([glyphs[i] for i in drawn], opts.ink_threshold, chars=[text[i] for i in drawn])
    sized = {i: _size(text[i], glyph, opts, noise[i], opts.uniform)
             for i, glyph in zip(drawn, prepared, strict=True) if glyph is not None}
    pen = _page_pen(list(sized.values()), opts)
    for i in drawn:
        items[i] = _glyph_item(text[i], i, sized.get(i), opts, noise[i], pen)
    pens = _PenGauge(items, fallback=0.12 * opts.char_size)
    for i, ch in enumerate(text):
        if is_drawn_procedurally(ch):
            items[i] = _mark_item(ch, i, pen.width if pen.width is not None else pens.near(i), opts, noise[i])
    # "\r\n" is one break; a lone "\r" is a break too.
    kept = [it for i, it in enumerate(items) if not (text[i] == "\r" and text[i + 1 : i + 2] == "\n")]
    _space_from_ink(kept, opts.char_size)
    return kept


def _space_from_ink(items: list[_Item | None], char_size: float) -> None:
    """Set each character's advance from its ink and its right neighbour's (kerning on the ink profile)."""
    for a, b in zip(items, items[1:], strict=False):
        if a is None or b is None or a.profile is None or b.profile is None:
            continue
        a.advance = pair_advance(a.profile, a.gap, b.profile, char_size)


def _paragraphs(items: list[_Item | None]) -> list[list[_Item]]:
    paras: list[list[_Item]] = [[]]
    for it in items:
        if it is None:
            paras.append([])
        else:
            paras[-1].append(it)
    return paras


def _runs(para: list[_Item]) -> list[list[_Item]]:
    """Alternating runs of spaces and of non-spaces (words)."""
    runs: list[list[_Item]] = []
    for it in para:
        if runs and runs[-1][0].is_space == it.is_space:
            runs[-1].append(it)
        else:
            runs.append([it])
    return runs


def _place(word: list[_Item], start: float) -> tuple[list[tuple[_Item, float]], float, float]:
    """Pen positions of a word from ``start``: (placements, pen after it, rightmost ink)."""
    placed, x, right = [], start, -math.inf
    for it in word:
        placed.append((it, x))
        if it.local is not None:
            right = max(right, x + it.extent[2])
        x += it.advance
    return placed, x, right


def _break_lines(paras: list[list[_Item]], left: float, limit: float) -> list[list[tuple[_Item, float]]]:
    """Greedy line filling: words move to the next line whole unless longer than a line."""
    lines: list[list[tuple[_Item, float]]] = []
    for para in paras:
        line: list[tuple[_Item, float]] = []
        x, pending, first = left, 0.0, True
        for run in _runs(para):
            if run[0].is_space:
                pending += sum(it.advance for it in run)
                continue
            # Leading spaces indent a paragraph's first line; after a wrap they vanish.
            start = x + pending if (line or first) else left
            placed, end, right = _place(run, start)
            if right > limit and line:
                lines.append(line)
                line, first = [], False
                placed, end, right = _place(run, left)
            if right > limit:  # longer than a line: break between characters
                x = placed[0][1]
                for it, _ in placed:
                    if line and it.local is not None and x + it.extent[2] > limit:
                        lines.append(line)
                        line, first, x = [], False, left
                    line.append((it, x))
                    x += it.advance
                end = x
            else:
                line.extend(placed)
            x, pending = end, 0.0
        lines.append(line)
    return lines


def layout_text(text: str, glyphs: Sequence[object | None], options: RenderOptions | None = None) -> Layout:
    """Lay out ``text`` with one glyph per character.

    ``glyphs[i]`` is the 28×28 bitmap (white ink on black) drawn for
    ``text[i]``, or None for spaces, line breaks and the punctuation that
    ``is_drawn_procedurally``.  Raises ValueError naming the position of any
    character that has neither.
    """
    opts = options if options is not None else RenderOptions()
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    if len(glyphs) != len(text):
        raise ValueError(f"need one glyph entry per character: {len(text)} characters, {len(glyphs)} glyphs")
    cs, margin = opts.char_size, opts.margin_px
    lines = _break_lines(_paragraphs(_measure(text, glyphs, opts)), float(margin), float(opts.width - margin))
    pitch = opts.line_spacing * (1.0 + opts.descender) * cs
    baselines = tuple(margin + cs + k * pitch for k in range(len(lines)))
    height = math.ceil(baselines[-1] + opts.descender * cs + margin)
    if height * opts.width > MAX_PIXELS:
        raise ValueError(
            f"the text needs a {opts.width}×{height} px image, over the {MAX_PIXELS // 1_000_000} "
            "megapixel limit; use a smaller char_size or a shorter text"
        )
    placed = []
    for number, (line, baseline) in enumerate(zip(lines, baselines, strict=True)):
        for it, x in line:
            if it.local is None:
                continue
            move = Affine.translate(x, baseline)
            x0, y0, x1, y1 = it.extent
            placed.append(
                PlacedGlyph(
                    char=it.char,
                    index=it.index,
                    line=number,
                    transform=it.local.then(move),
                    bbox=(float(x0 + x), float(y0 + baseline), float(x1 + x), float(y1 + baseline)),
                    bitmap=it.bitmap,
                    strokes=it.strokes,
                    mark_pen=it.mark_pen,
                )
            )
    return Layout(
        text=text,
        width=opts.width,
        height=height,
        baselines=baselines,
        glyphs=tuple(placed),
        options=opts,
    )
