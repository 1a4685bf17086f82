import numpy as np
import pytest

from ml.render import glyph_is_blank, ink_bbox, stroke_width


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
