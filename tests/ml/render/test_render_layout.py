"""Layout rules checked on rendered pixels, using synthetic bar glyphs."""

import math

import numpy as np
import pytest

from ml.render import RenderOptions, coverage, layout_text


def _region(cov: np.ndarray, box, pad: int = 3) -> tuple[np.ndarray, int, int]:
    """The coverage in a glyph's columns, ``pad`` rows above and below its box, and its page offset."""
    x0, y0 = max(math.floor(box[0]), 0), max(math.floor(box[1]) - pad, 0)
    return cov[y0 : math.ceil(box[3]) + pad, x0 : math.ceil(box[2])], x0, y0


def _ink_rows(cov: np.ndarray, box) -> tuple[int, int]:
    """First and last page row with solid ink around a glyph's box."""
    region, _, y0 = _region(cov, box)
    rows = np.nonzero((region > 0.5).any(axis=1))[0]
    return int(rows[0]) + y0, int(rows[-1]) + y0


def _ink_cols(cov: np.ndarray, box) -> tuple[int, int]:
    region, x0, _ = _region(cov, box, pad=0)
    cols = np.nonzero((region > 0.5).any(axis=0))[0]
    return int(cols[0]) + x0, int(cols[-1]) + x0


def test_glyphs_of_one_line_share_a_baseline_and_descenders_hang_below(still, rect, glyphs):
    text = "A1bcxHg"
    per_char = {"A": rect(20, 10), "1": rect(18, 4), "b": rect(16, 8), "c": rect(20, 12), "x": rect(12, 12)}
    layout = layout_text(text, glyphs(text, per_char=per_char), still)
    cov = coverage(layout)
    bottoms = {g.char: _ink_rows(cov, g.bbox)[1] for g in layout.glyphs}
    flat = [bottoms[ch] for ch in "A1bcxH"]
    assert max(flat) - min(flat) <= 1
    baseline = layout.baselines[0]
    assert abs(np.mean(flat) + 1 - baseline) <= 1.0  # last ink row sits just above the baseline
    assert bottoms["g"] > baseline + 0.3 * still.char_size  # descender


def test_x_height_letters_are_shorter_than_capitals_and_ascenders(still, rect, glyphs):
    text = "Aab"
    layout = layout_text(text, glyphs(text, rect(20, 8)), still)
    cov = coverage(layout)
    heights = {}
    for g in layout.glyphs:
        top, bottom = _ink_rows(cov, g.bbox)
        heights[g.char] = bottom - top + 1
    assert heights["A"] == pytest.approx(still.char_size, abs=1.5)
    assert heights["b"] == pytest.approx(still.char_size, abs=1.5)
    assert heights["a"] == pytest.approx(still.x_height * still.char_size, abs=1.5)


def test_descender_letter_keeps_its_upper_part_above_the_baseline(still, rect, glyphs):
    layout = layout_text("g", glyphs("g", rect(20, 8)), still)
    top, bottom = _ink_rows(coverage(layout), layout.glyphs[0].bbox)
    baseline = layout.baselines[0]
    above = (baseline - top) / (bottom + 1 - top)
    assert above == pytest.approx(still.x_height / (still.x_height + still.descender), abs=0.05)


def test_wider_glyph_gets_a_larger_advance_with_a_constant_gap(still, rect, glyphs):
    text = "WIW"
    layout = layout_text(text, glyphs(text, per_char={"W": rect(20, 16), "I": rect(20, 3)}), still)
    cov = coverage(layout)
    lefts, rights = zip(*(_ink_cols(cov, g.bbox) for g in layout.glyphs), strict=True)
    advance_w, advance_i = lefts[1] - lefts[0], lefts[2] - lefts[1]
    assert advance_w > advance_i + 20
    gap_w, gap_i = lefts[1] - rights[0], lefts[2] - rights[1]
    assert abs(gap_w - gap_i) <= 1
    assert gap_w == pytest.approx(still.letter_spacing * still.char_size + 1, abs=1.5)


def test_wrapping_breaks_at_spaces_and_stays_inside_the_width(rect, glyphs):
    opts = RenderOptions(width=300, char_size=32, jitter=0.0)
    text = "abc defg hi jklmn opq rstu vwx abc defg hi jklmn"
    layout = layout_text(text, glyphs(text, rect(20, 8)), opts)
    assert len(layout.baselines) >= 3
    words, start = [], 0
    for word in text.split(" "):
        words.append(range(start, start + len(word)))
        start += len(word) + 1
    line_of = {g.index: g.line for g in layout.glyphs}
    for word in words:
        assert len({line_of[i] for i in word}) == 1, "a word was split across lines"
    limit = opts.width - opts.margin_px
    assert max(g.bbox[2] for g in layout.glyphs) <= limit
    cov = coverage(layout)
    assert not cov[:, limit + 1 :].any()
    # Greedy: the first word of each line would not have fitted on the line before.
    space = opts.word_spacing * opts.char_size
    for first, prev in zip(words[1:], words[:-1], strict=True):
        if line_of[first[0]] != line_of[prev[0]]:
            prev_right = max(g.bbox[2] for g in layout.glyphs if g.index in prev)
            width = max(g.bbox[2] for g in layout.glyphs if g.index in first) - min(
                g.bbox[0] for g in layout.glyphs if g.index in first
            )
            assert prev_right + space + width > limit


def test_word_longer_than_a_line_breaks_between_characters(rect, glyphs):
    opts = RenderOptions(width=200, char_size=32, jitter=0.0)
    text = "m" * 30
    layout = layout_text(text, glyphs(text, rect(20, 10)), opts)
    assert len(layout.baselines) >= 3
    assert max(g.bbox[2] for g in layout.glyphs) <= opts.width - opts.margin_px
    assert len(layout.glyphs) == 30


def test_newlines_start_new_lines_and_blank_lines_count(still, rect, glyphs):
    for text, lines in (("ab\ncd", 2), ("ab\r\ncd", 2), ("ab\n\ncd", 3), ("ab\n", 2)):
        layout = layout_text(text, glyphs(text, rect()), still)
        assert len(layout.baselines) == lines, text
    layout = layout_text("ab\n\ncd", glyphs("ab\n\ncd", rect()), still)
    by_char = {g.char: g for g in layout.glyphs}
    assert by_char["a"].line == 0 and by_char["c"].line == 2
    cov = coverage(layout)
    assert _ink_rows(cov, by_char["c"].bbox)[0] > _ink_rows(cov, by_char["a"].bbox)[1] + still.char_size
    assert by_char["c"].bbox[0] == pytest.approx(by_char["a"].bbox[0], abs=0.5)  # back to the left margin


def test_leading_spaces_indent_a_paragraph(still, rect, glyphs):
    flush = layout_text("ab", glyphs("ab", rect()), still)
    indented = layout_text("  ab", glyphs("  ab", rect()), still)
    shift = indented.glyphs[0].bbox[0] - flush.glyphs[0].bbox[0]
    assert shift == pytest.approx(2 * still.word_spacing * still.char_size, abs=0.5)


def test_slant_leans_tall_glyphs_to_the_right(rect, glyphs):
    opts = RenderOptions(width=400, char_size=40, jitter=0.0, slant=20)
    layout = layout_text("I", glyphs("I", rect(20, 4)), opts)
    cov = coverage(layout)
    rows = np.nonzero(cov.max(axis=1) > 0.5)[0]
    top_x = np.average(np.arange(cov.shape[1]), weights=cov[rows[2]])
    bottom_x = np.average(np.arange(cov.shape[1]), weights=cov[rows[-3]])
    assert top_x - bottom_x == pytest.approx(math.tan(math.radians(20)) * (rows[-3] - rows[2]), abs=1.5)


def test_jitter_moves_glyphs_off_the_rules(rect, glyphs):
    text = "aaaaaaaaaa"
    wobbly = layout_text(text, glyphs(text, rect()), RenderOptions(width=900, jitter=1.0, seed=4))
    bottoms = [g.bbox[3] for g in wobbly.glyphs]
    assert max(bottoms) - min(bottoms) > 1.0


def test_blank_glyph_keeps_its_place(still, rect, glyphs):
    text = "ABA"
    layout = layout_text(text, glyphs(text, per_char={"A": rect(), "B": np.zeros((28, 28), np.uint8)}), still)
    assert [g.char for g in layout.glyphs] == ["A", "A"]
    assert layout.glyphs[1].bbox[0] - layout.glyphs[0].bbox[2] > 0.3 * still.char_size


@pytest.mark.parametrize(
    ("text", "glyph_list", "message"),
    [
        ("ab", [np.zeros((28, 28)), None], "position 1: no glyph for 'b'"),
        (
            "a b",
            [np.ones((28, 28)), np.ones((28, 28)), np.ones((28, 28))],
            "position 1: a space takes no glyph",
        ),
        ("a.", [np.ones((28, 28)), np.ones((28, 28))], "position 1: '.' is drawn by the renderer"),
        ("ab", [None], "one glyph entry per character"),
        ("a", [np.zeros((5,))], "2-D"),
    ],
)
def test_bad_input_is_a_clear_value_error(text, glyph_list, message):
    with pytest.raises(ValueError, match=message):
        layout_text(text, glyph_list)


def test_oversized_page_is_refused(rect, glyphs):
    text = "a\n" * 400
    with pytest.raises(ValueError, match="megapixel"):
        layout_text(text, glyphs(text, rect()), RenderOptions(width=4000, char_size=400))


def test_empty_text_gives_an_empty_page(still):
    layout = layout_text("", [], still)
    assert layout.glyphs == () and layout.height > 0
    assert not coverage(layout).any()
