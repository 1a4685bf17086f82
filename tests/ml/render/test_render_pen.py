"""One hand per page, checked on pixels: one pen width, one slant, no specks, letter gaps from the ink."""

import hashlib

import numpy as np
import pytest

from ml.render import RenderOptions, layout_text, render_png
from ml.render.glyphs import prepare_glyph, speck_counts
from ml.render.measure import measure_glyphs, page_spread


def stroke_glyph(width: int, lean: float = 0.0) -> np.ndarray:
    """An 'l'-like stroke ``width`` px wide, 20 px tall, leaning ``lean`` px right at its top."""
    g = np.zeros((28, 28), np.uint8)
    for row in range(4, 24):
        x = 13 + lean * (24 - row) / 20.0
        left = int(round(x - width / 2.0))
        g[row, max(left, 0) : left + width] = 255
    return g


def loop_glyph(thickness: float) -> np.ndarray:
    yy, xx = np.mgrid[:28, :28]
    d = np.hypot((yy - 13.5) / 1.1, xx - 13.5)
    return (((d <= 8.0) & (d >= 8.0 - thickness)) * 255).astype(np.uint8)


TEXT = "lo lo lo lo"


def _page_glyphs(widths):
    out, k = [], 0
    for ch in TEXT:
        if ch == " ":
            out.append(None)
            continue
        w = widths[k % len(widths)]
        out.append(stroke_glyph(w, lean=(k % 3 - 1) * 4.0) if ch == "l" else loop_glyph(w))
        k += 1
    return out


@pytest.fixture
def uneven():
    """Glyphs of one page drawn with pens from 2 to 5 px and leaning −11° to +11°."""
    return _page_glyphs([2, 5, 3, 4, 2, 5, 3, 4])


def _spread(glyphs, **options):
    opts = RenderOptions(width=900, char_size=60, jitter=0.0, seed=1, **options)
    return page_spread(measure_glyphs(layout_text(TEXT, glyphs, opts)))


def test_one_pen_per_page_evens_out_stroke_width_and_slant(uneven):
    raw = _spread(uneven, uniform=False)
    one = _spread(uneven)
    assert raw["stroke_width_cv"] > 0.15 and raw["slant_std"] > 4.0  # the glyphs as drawn differ
    assert one["stroke_width_cv"] < 0.1
    assert one["stroke_width_cv"] < raw["stroke_width_cv"] / 2
    assert one["slant_std"] < 2.0 and one["slant_std"] < raw["slant_std"] / 3


def test_pen_width_and_slant_options_set_the_page(uneven):
    page = measure_glyphs(layout_text(TEXT, uneven, RenderOptions(width=900, char_size=60, jitter=0.0,
                                                                   pen_width=0.1, slant=12.0)))
    widths = [m.stroke_width for m in page]
    slants = [m.slant for m in page if m.char == "l"]
    assert np.median(widths) == pytest.approx(6.0, abs=1.0)  # 0.1 × 60 px
    assert np.mean(slants) == pytest.approx(12.0, abs=2.0)


def _page_slant(lean: float) -> float:
    """Mean slant of the l's on a one-pen page whose l's were drawn leaning ``lean`` px."""
    glyphs = [None if ch == " " else stroke_glyph(3, lean=lean) if ch == "l" else loop_glyph(3) for ch in TEXT]
    page = measure_glyphs(layout_text(TEXT, glyphs, RenderOptions(jitter=0.0)))
    return float(np.mean([m.slant for m in page if m.char == "l"]))


def test_a_random_hand_keeps_its_own_slant_from_page_to_page():
    assert _page_slant(6.0) > _page_slant(0.0) + 8.0  # the page takes the lean of the hand that drew it


def test_a_speck_beside_a_glyph_is_dropped_and_counted():
    glyph = stroke_glyph(3)
    glyph[5:7, 22:24] = 255  # a blob apart from the stroke
    assert speck_counts(np.stack([glyph, stroke_glyph(3)]), ["l", "l"]).tolist() == [1, 0]
    prepared = prepare_glyph(glyph, char="l")
    x0, _, x1, _ = prepared.ink_box
    assert x1 - x0 <= 5  # only the stroke is left
    page = measure_glyphs(layout_text("l", [glyph], RenderOptions(jitter=0.0, uniform=False)))
    assert page[0].specks == 0


def test_the_dot_of_an_i_and_the_flag_of_a_five_are_part_of_the_character():
    i = stroke_glyph(3)
    i[4:10] = 0
    i[3:6, 12:15] = 255  # the dot, above the body
    assert speck_counts(i[None], ["i"]).tolist() == [0]
    assert speck_counts(i[None], ["l"]).tolist() == [1]  # the same blob beside an l is a speck
    five = stroke_glyph(3)
    five[4:6, 17:26] = 255  # a separate bar: longer than it is thick, so a stroke
    assert speck_counts(five[None], ["5"]).tolist() == [0]


def test_letter_gaps_come_from_the_facing_ink_not_the_box():
    bar_top = np.zeros((28, 28), np.uint8)  # an F-like overhang: a wide top bar over a thin stem
    bar_top[4:24, 6:9] = 255
    bar_top[4:7, 6:22] = 255
    low = np.zeros((28, 28), np.uint8)  # a short glyph that fits under the bar
    low[14:24, 8:18] = 255
    opts = RenderOptions(width=600, char_size=60, jitter=0.0, uniform=False, letter_spacing=0.1)
    layout = layout_text("Fo", [bar_top, low], opts)
    f, o = layout.glyphs
    assert o.bbox[0] < f.bbox[2]  # the o sits under the F's bar ...
    assert o.bbox[0] >= f.bbox[2] - 0.2 * opts.char_size - 1.0  # ... but tucks in at most MAX_TUCK
    boxed = layout_text("lo", [stroke_glyph(3), low], opts)
    gap = boxed.glyphs[1].bbox[0] - boxed.glyphs[0].bbox[2]
    assert gap == pytest.approx(0.1 * opts.char_size, abs=2.5)  # facing inks: the gap asked for


def test_same_glyphs_and_options_give_the_same_bytes(uneven):
    opts = RenderOptions(width=700, seed=5)
    a = render_png(layout_text(TEXT, uneven, opts))
    b = render_png(layout_text(TEXT, [None if g is None else g.copy() for g in uneven], opts))
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
