"""Any picture of a character becomes an MNIST-style glyph: 20x20 box, centred by mass, white on black."""

import io
import struct
import zlib

import numpy as np
import pytest
from data_fixtures import picture
from PIL import Image, ImageDraw, ImageFilter

from ml.data.normalise import GlyphError, dilate, glyph_from_picture, normalise_ink, stroke_width, to_ink
from ml.data.sources import default_data_root


def centre_of_mass(glyph):
    yy, xx = np.indices(glyph.shape)
    w = glyph.astype(float)
    return (yy * w).sum() / w.sum(), (xx * w).sum() / w.sum()


def ink_box(glyph):
    rows, cols = np.flatnonzero(glyph.max(1)), np.flatnonzero(glyph.max(0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def encode(img, fmt="PNG"):
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_mnist_placement_whatever_the_background(dark_on_light):
    glyph = glyph_from_picture(picture(3, size=(90, 140), dark_on_light=dark_on_light))
    assert glyph.shape == (28, 28) and glyph.dtype == np.uint8
    assert max(ink_box(glyph)) in (19, 20, 21)  # longest side scaled into the 20 px box
    cy, cx = centre_of_mass(glyph)
    assert abs(cy - 13.5) < 0.8 and abs(cx - 13.5) < 0.8
    border = np.concatenate([glyph[0], glyph[-1], glyph[:, 0], glyph[:, -1]])
    assert border.max() < 50 and glyph.max() == 255  # white ink on black


def test_both_polarities_give_the_same_glyph():
    a = glyph_from_picture(picture(5, dark_on_light=True)).astype(int)
    b = glyph_from_picture(picture(5, dark_on_light=False)).astype(int)
    assert np.abs(a - b).mean() < 6


def test_grey_noisy_photo_of_paper_is_cleaned():
    rng = np.random.default_rng(0)
    paper = np.clip(190 + rng.normal(0, 8, (480, 640)), 0, 255).astype(np.uint8)
    img = Image.fromarray(paper)
    ImageDraw.Draw(img).line([(200, 100), (440, 100), (300, 400)], fill=50, width=12)  # a "7"
    glyph = glyph_from_picture(encode(img, "JPEG"))
    assert (glyph > 0).mean() < 0.25  # the paper texture did not survive as ink
    cy, cx = centre_of_mass(glyph)
    assert abs(cy - 13.5) < 1 and abs(cx - 13.5) < 1


def test_thin_pen_strokes_of_a_large_photo_stay_visible():
    img = Image.new("L", (1000, 1000), 255)
    ImageDraw.Draw(img).line([(500, 100), (500, 900)], fill=0, width=6)
    ImageDraw.Draw(img).line([(300, 500), (700, 500)], fill=0, width=6)
    glyph = glyph_from_picture(encode(img))
    assert stroke_width(glyph / 255.0) >= 1.5  # a 6 px pen line scaled 40x down would be 0.15 px


def test_transparent_png_with_dark_ink():
    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse([12, 6, 52, 58], outline=(0, 0, 0, 255), width=5)
    glyph = glyph_from_picture(encode(img))
    assert glyph[14, 14] < 30 and glyph.max() == 255  # the ring's inside stays background


def test_sixteen_bit_and_colour_pictures():
    rgb = glyph_from_picture(picture(2, mode="RGB"))
    grey = glyph_from_picture(picture(2))
    assert np.abs(rgb.astype(int) - grey.astype(int)).mean() < 3
    wide = (np.asarray(Image.open(io.BytesIO(picture(2)))).astype(np.uint16) * 257)
    glyph16 = glyph_from_picture(encode(Image.fromarray(wide)))  # a 16-bit grey PNG
    assert np.abs(glyph16.astype(int) - grey.astype(int)).mean() < 3


@pytest.mark.parametrize("data, problem", [
    (b"not an image at all", "unreadable image"),
    (picture(0)[:60], "unreadable image"),  # truncated PNG
])
def test_unreadable_bytes(data, problem):
    with pytest.raises(GlyphError, match=problem):
        glyph_from_picture(data)


def test_blank_pictures_are_refused():
    with pytest.raises(GlyphError, match="blank"):
        glyph_from_picture(encode(Image.new("L", (40, 40), 200)))
    with pytest.raises(GlyphError, match="blank"):
        normalise_ink(np.zeros((10, 10)))


def png_header_only(width, height):
    """A PNG that declares a size but holds no pixels: decoding it would be the attack."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_huge_picture_refused_before_decoding():
    with pytest.raises(GlyphError, match="image too large: 7000x7000 pixels"):
        glyph_from_picture(png_header_only(7_000, 7_000))
    with pytest.raises(GlyphError, match="image too large"):
        glyph_from_picture(png_header_only(60_000, 60_000))


def test_dilation_matches_a_max_filter():
    rng = np.random.default_rng(0)
    ink = (rng.random((40, 30)) > 0.95) * rng.random((40, 30))
    for grow in (1, 4):
        padded = Image.fromarray(np.pad(ink, grow).astype(np.float32), mode="F")
        expected = np.asarray(padded.filter(ImageFilter.MaxFilter(2 * grow + 1)))
        assert np.allclose(dilate(ink, grow), expected)


def test_to_ink_range():
    ink = to_ink(np.asarray(Image.open(io.BytesIO(picture(1)))))
    assert ink.min() == 0 and ink.max() == 1


REAL = default_data_root() / "mnist"


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.is_dir(), reason=f"real MNIST not found at {REAL}")
def test_an_mnist_digit_photographed_large_comes_back_as_itself():
    from ml.data.idx import read_idx

    images = read_idx(REAL / "t10k-images-idx3-ubyte.gz", expect_ndim=3)
    scores = []
    for image in images[:30]:
        big = Image.fromarray(255 - image).resize((280, 280), Image.Resampling.BICUBIC)  # dark on light, 10x
        glyph = glyph_from_picture(encode(big))
        scores.append(np.corrcoef(glyph.ravel(), image.ravel())[0, 1])
    assert np.mean(scores) > 0.7 and min(scores) > 0.4
