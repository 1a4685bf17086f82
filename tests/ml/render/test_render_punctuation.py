"""Procedural punctuation: ink, placement relative to the baseline, matched pen width."""

import math

import numpy as np
import pytest

from ml.render import RenderOptions, coverage, is_drawn_procedurally, layout_text, punctuation_supported

MARKS = sorted(punctuation_supported())
CS = 40


@pytest.fixture
def opts():
    return RenderOptions(width=500, char_size=CS, jitter=0.0)


def _mark(layout):
    (mark,) = [g for g in layout.glyphs if g.strokes]
    return mark


def _ink_box(cov, box, pad=4):
    """Page box of solid ink in a glyph's columns, up to ``pad`` rows beyond its layout box."""
    x0, y0 = max(math.floor(box[0]), 0), max(math.floor(box[1]) - pad, 0)
    region = cov[y0 : math.ceil(box[3]) + pad, x0 : math.ceil(box[2])] > 0.5
    rows, cols = np.nonzero(region.any(axis=1))[0], np.nonzero(region.any(axis=0))[0]
    return x0 + cols[0], y0 + rows[0], x0 + cols[-1] + 1, y0 + rows[-1] + 1


def test_the_advertised_set():
    assert set(".,!?'\"-:;()") == set(MARKS)
    assert is_drawn_procedurally("?") and not is_drawn_procedurally("a")


@pytest.mark.parametrize("ch", MARKS)
def test_every_mark_produces_ink_inside_its_box(ch, opts, glyphs):
    text = f"H{ch}H"
    layout = layout_text(text, glyphs(text), opts)
    mark = _mark(layout)
    cov = coverage(layout)
    x0, y0, x1, y1 = (int(v) for v in mark.bbox)
    assert cov[y0 : y1 + 1, x0 : x1 + 1].max() > 0.9
    assert cov[y0 : y1 + 1, x0 : x1 + 1].sum() > mark.stroke_width**2 / 2


@pytest.mark.parametrize("ch", MARKS)
def test_a_mark_alone_still_gets_a_pen(ch, opts):
    layout = layout_text(ch, [None], opts)
    assert coverage(layout).max() > 0.9


def _placement(ch, opts, glyphs, rect):
    text = f"H{ch}H"
    layout = layout_text(text, glyphs(text, rect(20, 3)), opts)  # an MNIST-like 3 px pen
    x0, y0, x1, y1 = _ink_box(coverage(layout), _mark(layout).bbox)
    base = layout.baselines[0]
    return (base - y0) / CS, (base - y1) / CS  # top and bottom in char_size units above the baseline


def test_vertical_placement_follows_handwriting(opts, glyphs, rect):
    xh, desc = opts.x_height, opts.descender
    top, bottom = _placement(".", opts, glyphs, rect)
    assert abs(bottom) < 0.05 and top < 0.25
    top, bottom = _placement(",", opts, glyphs, rect)
    assert bottom < -0.1 and top < 0.3
    for quote in "'\"":
        top, bottom = _placement(quote, opts, glyphs, rect)
        assert top > 0.95 and bottom > xh
    top, bottom = _placement("-", opts, glyphs, rect)
    assert 0.3 * xh < bottom < top < 0.7 * xh
    for tall in "!?":
        top, bottom = _placement(tall, opts, glyphs, rect)
        assert top > 0.95 and abs(bottom) < 0.05
    for colon in ":;":
        top, bottom = _placement(colon, opts, glyphs, rect)
        assert 0.6 * xh < top < 1.0 * xh + 0.1
    for paren in "()":
        top, bottom = _placement(paren, opts, glyphs, rect)
        assert top > 0.95 and bottom < -desc + 0.08


@pytest.mark.parametrize("uniform", [True, False])
def test_mark_pen_width_follows_the_neighbouring_glyphs(opts, rect, glyphs, uniform):
    from dataclasses import replace

    from ml.render.measure import measure_glyphs

    opts = replace(opts, uniform=uniform)
    widths = {}
    for pen in (2, 6):
        text = "HH-HH"
        layout = layout_text(text, glyphs(text, rect(20, pen)), opts)
        mark = _mark(layout)
        if uniform:  # the page's one pen, as the glyphs show it on the page
            glyph_pen = np.median([m.stroke_width for m in measure_glyphs(layout)])
            assert mark.stroke_width == pytest.approx(glyph_pen, rel=0.15)
        else:  # each glyph's own strokes: the mark takes its neighbours'
            glyph_pen = np.median([g.stroke_width for g in layout.glyphs if g.bitmap is not None])
            assert mark.stroke_width == pytest.approx(glyph_pen, rel=0.05)
        cov = coverage(layout)
        x0, y0, x1, y1 = _ink_box(cov, mark.bbox)
        column = cov[y0:y1, (x0 + x1) // 2]
        widths[pen] = column.sum()  # thickness of the hyphen stroke in pixels
        assert widths[pen] == pytest.approx(mark.stroke_width, abs=1.5)
    assert widths[6] > 2 * widths[2]


def test_mark_wobble_is_seeded(glyphs):
    def strokes(seed):
        layout = layout_text(
            "H?", glyphs("H?"), RenderOptions(width=500, char_size=CS, jitter=1.0, seed=seed)
        )
        return np.concatenate(_mark(layout).strokes)

    assert np.array_equal(strokes(5), strokes(5))
    assert not np.array_equal(strokes(5), strokes(6))
