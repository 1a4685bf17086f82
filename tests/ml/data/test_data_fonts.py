"""Font-rendered characters (notMNIST style): seeded augmentation, missing glyphs skipped, bad fonts named."""

import numpy as np
import pytest
from data_fixtures import make_zip

from ml.data.errors import DatasetError
from ml.data.fonts import (
    FontOptions,
    _font_from_bytes,
    _missing_glyph_masks,
    load_fonts,
    render_character,
    render_fonts,
)
from ml.data.sources import load_named


def test_every_character_in_every_font_with_variants(fixture_font):
    data, report = render_fonts(fixture_font, options=FontOptions(charset="digits", variants=3))
    assert len(data) == 30 and data.histogram() == {str(d): 3 for d in range(10)}
    assert report["fonts"] == 1 and report["missing_glyphs"] == 0
    glyphs = data.images.astype(float)
    assert glyphs.max() == 255 and glyphs[:, 0, :].max() < 60  # white ink on black, MNIST-placed
    # Variants of one character differ (augmented) but resemble each other more than another digit.
    ones, sevens = glyphs[data.labels == 1], glyphs[data.labels == 7]
    assert not np.array_equal(ones[0], ones[1])
    assert np.abs(ones[0] - ones[1]).mean() < np.abs(ones[0] - sevens[0]).mean()


def test_rendering_is_reproducible_and_seeded(fixture_font):
    options = FontOptions(charset="digits", variants=2, seed=5)
    first, _ = render_fonts(fixture_font, options=options)
    again, _ = render_fonts(fixture_font, options=options)
    other, _ = render_fonts(fixture_font, options=FontOptions(charset="digits", variants=2, seed=6))
    assert np.array_equal(first.images, again.images)
    assert not np.array_equal(first.images, other.images)


def test_cased_charset_renders_both_cases_of_shared_letters_into_one_class(fixture_font):
    data, _ = render_fonts(fixture_font, options=FontOptions(charset="letters-cased", variants=1))
    hist = data.histogram()
    assert hist["A"] == 1 and hist["a"] == 1 and hist["C"] == 2  # 'C' and 'c' share a class
    assert data.charset.case_aware


def test_missing_glyphs_are_detected_not_drawn_as_boxes(fixture_font):
    font = _font_from_bytes((fixture_font / "aileron.ttf").read_bytes(), "aileron.ttf")
    missing = _missing_glyph_masks(font)
    assert render_character(font, "\u4e00", missing) is None  # a CJK character a Latin font lacks
    assert render_character(font, "A", missing) is not None


def test_fonts_in_a_zip_and_the_fonts_loader(fixture_font, tmp_path):
    archive = make_zip(tmp_path / "fonts.zip", {"family/Aileron.OTF": (fixture_font / "aileron.ttf").read_bytes(),
                                                "family/LICENSE.txt": b"free"})
    data, report = render_fonts(archive, options=FontOptions(charset="digits", variants=1))
    assert len(data) == 10 and report["images_per_font"] == {"family/Aileron.OTF": 10}
    splits = load_fonts(fixture_font, options=FontOptions(charset="digits", variants=5))
    assert splits["test"].histogram() == {str(d): 1 for d in range(10)} and len(splits["train"]) == 40
    with pytest.raises(ValueError, match="'fonts' needs data_root"):
        load_named("fonts")


def test_unreadable_font_is_named(fixture_font):
    (fixture_font / "broken.ttf").write_bytes(b"not a font")
    with pytest.raises(DatasetError, match="broken.ttf: unreadable font"):
        render_fonts(fixture_font, options=FontOptions(charset="digits", variants=1))


def test_no_fonts_and_bad_options(tmp_path, fixture_font):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no fonts here")
    with pytest.raises(DatasetError, match="no .ttf or .otf font files"):
        render_fonts(tmp_path / "empty")
    with pytest.raises(ValueError, match="unknown charset"):
        render_fonts(fixture_font, options=FontOptions(charset="klingon"))
    with pytest.raises(ValueError, match="variants"):
        render_fonts(fixture_font, options=FontOptions(variants=0))
