import numpy as np
import pytest

from ml.render import glyph_is_blank, glyphs_are_blank, ink_bbox, stroke_width
from ml.render.glyphs import prepare_glyph, prepare_glyphs


def test_empty_and_faint_glyphs_are_blank():
    assert glyph_is_blank(np.zeros((28, 28), dtype=np.uint8))
    haze = np.full((28, 28), 30, dtype=np.uint8)  # below the ink threshold everywhere
    assert glyph_is_blank(haze)


def test_isolated_specks_do_not_count_as_ink():
    specks = np.zeros((28, 28), dtype=np.uint8)
    specks[2:26:4, 2:26:4] = 255  # 36 single pixels, none touching another
    assert glyph_is_blank(specks)
    assert ink_bbox(specks) is None


def test_tiny_blob_is_blank_but_a_stroke_is_not(rect):
    dot = np.zeros((28, 28), dtype=np.uint8)
    dot[13:16, 13:16] = 255
    assert glyph_is_blank(dot)
    assert not glyph_is_blank(rect(20, 3))


def test_float_glyphs_in_unit_range_are_accepted(rect):
    assert not glyph_is_blank(rect(20, 4).astype(np.float32) / 255.0)


def test_ink_bbox_ignores_specks_outside_the_glyph(rect):
    g = rect(20, 6)
    g[0, 0] = 255
    assert ink_bbox(g) == (4, 11, 24, 17)


@pytest.mark.parametrize("width", [2, 3, 5])
def test_stroke_width_of_a_bar(rect, width):
    assert stroke_width(rect(20, width)) == pytest.approx(width, abs=0.4)


def test_stroke_width_of_a_ring_and_a_diagonal(ring):
    assert stroke_width(ring(9.0, 6.0)) == pytest.approx(3.0, abs=0.6)
    diag = np.zeros((28, 28), dtype=np.uint8)
    for i in range(4, 24):
        diag[i, i - 1 : i + 2] = 255  # 3 px wide horizontally, ~2.1 px across the stroke
    assert stroke_width(diag) == pytest.approx(3 / np.sqrt(2), abs=0.5)


def test_bad_glyph_shape_is_a_clear_error():
    with pytest.raises(ValueError, match="2-D"):
        glyph_is_blank(np.zeros((28, 28, 3)))


def _gan_like_glyphs(n: int, seed: int = 0) -> np.ndarray:
    """Blobs and strokes with haze, specks and edge-touching ink: what a GAN hands the layout."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 28, 28), dtype=np.uint8)
    for k in range(n):
        g = rng.integers(0, 50, (28, 28))  # haze below the threshold
        h, w = rng.integers(1, 24), rng.integers(1, 12)
        top, left = rng.integers(0, 28 - h + 1), rng.integers(0, 28 - w + 1)
        g[top : top + h, left : left + w] = rng.integers(60, 256, (h, w))
        g[rng.integers(0, 28, 3), rng.integers(0, 28, 3)] = 255  # specks
        out[k] = g
    out[0] = 0  # blank
    out[1, 13:16, 13:16] = 0
    return out


def test_the_batched_blank_check_agrees_with_the_single_one():
    stack = _gan_like_glyphs(200)
    expected = [glyph_is_blank(g) for g in stack]
    assert glyphs_are_blank(stack).tolist() == expected
    assert 0 < sum(expected) < len(expected)  # both kinds were tried
    assert glyphs_are_blank(np.zeros((0, 28, 28), np.uint8)).shape == (0,)
    assert glyphs_are_blank(stack.astype(np.float32) / 255.0).tolist() == expected  # other input: one at a time


def test_batched_preparation_gives_what_one_at_a_time_gives_and_shares_repeated_drawings(rect, ring):
    stack = _gan_like_glyphs(60, seed=1)
    shared = stack[5]
    glyphs = [*stack[:5], shared, *stack[6:], None, shared, rect(20, 4).astype(np.float32) / 255.0, ring(9.0, 6.0) > 0,
              np.zeros((20, 16), np.uint8), rect(20, 3)[2:26, 4:24], None, shared]  # fmt: skip
    got = prepare_glyphs(glyphs)
    assert len(got) == len(glyphs)
    for glyph, prepared in zip(glyphs, got, strict=True):
        want = None if glyph is None else prepare_glyph(glyph)
        if want is None:
            assert prepared is None
            continue
        assert prepared.ink_box == want.ink_box
        assert prepared.bitmap.dtype == want.bitmap.dtype and np.array_equal(prepared.bitmap, want.bitmap)
    assert got[5] is not None and got[61] is got[5] and got[-1] is got[5]  # one drawing, prepared once
    assert any(p is None for p in got[:60]) and sum(p is not None for p in got[:60]) > 30


def test_batched_preparation_reports_a_bad_glyph_clearly():
    with pytest.raises(ValueError, match="2-D"):
        prepare_glyphs([np.zeros((28, 28), np.uint8), np.zeros((28, 28, 3))])
