"""Reading a simulated phone photo of a filled-in sheet, and refusing bad photos with the reason."""

import cv2
import numpy as np
import pytest

from ml.data.normalise import normalise_ink
from ml.hands.extract import SheetError, extract_sheet
from ml.hands.sheet_image import render_sheet, write_glyph
from ml.hands.simulate import PhotoConditions, photograph
from ml.hands.template import layout


def _fixture_glyph(kind: int) -> np.ndarray:
    """Three shapes the test can tell apart: a bar, a ring, a cross."""
    g = np.zeros((28, 28), np.uint8)
    if kind == 0:
        cv2.line(g, (14, 4), (14, 23), 255, 3)
    elif kind == 1:
        cv2.circle(g, (14, 14), 8, 255, 2)
    else:
        cv2.line(g, (6, 6), (22, 22), 255, 3)
        cv2.line(g, (22, 6), (6, 22), 255, 3)
    return g


@pytest.fixture(scope="module")
def filled():
    """A sheet with every third box left empty, the others holding one of three shapes."""
    sheet = render_sheet()
    written = {}
    for i, box in enumerate(layout().boxes):
        if i % 3 == 2:
            continue
        glyph = _fixture_glyph(i % 3 if i % 2 else 2)
        write_glyph(sheet, box, glyph)
        written[box.key] = normalise_ink(glyph)
    return sheet, written


def _similarity(a, b) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(np.corrcoef(a, b)[0, 1])


def test_every_written_box_is_recovered_like_its_glyph_and_empty_boxes_stay_empty(filled):
    sheet, written = filled
    result = extract_sheet(photograph(sheet, seed=3))
    got = {g.box.key: g.glyph for g in result.glyphs}
    assert {k for k, v in got.items() if v is not None} == set(written)
    for key, expected in written.items():
        assert got[key].shape == (28, 28) and got[key].dtype == np.uint8
        # Each glyph is most like the shape written in its box (not a border, not a neighbour).
        scores = {kind: _similarity(got[key], normalise_ink(_fixture_glyph(kind))) for kind in range(3)}
        assert _similarity(got[key], expected) == pytest.approx(max(scores.values())), key
        assert _similarity(got[key], expected) > 0.8, key


@pytest.mark.parametrize(("conditions", "reason"), [
    (PhotoConditions(blur=7.0), "blurry"),
    (PhotoConditions(blur=3.5), "blurry"),
    (PhotoConditions(brightness=0.18), "dark"),
    (PhotoConditions(crop=0.3), "cut off"),
])  # fmt: skip
def test_a_bad_photo_is_refused_with_its_reason(filled, conditions, reason):
    with pytest.raises(SheetError, match=reason):
        extract_sheet(photograph(filled[0], seed=1, conditions=conditions))


def test_a_picture_without_the_sheet_or_not_a_picture_is_refused():
    noise = np.random.default_rng(0).integers(100, 255, (600, 500), dtype=np.uint8)
    ok, png = cv2.imencode(".png", noise)
    with pytest.raises(SheetError, match="No corner markers"):
        extract_sheet(png.tobytes())
    with pytest.raises(SheetError, match="not an image"):
        extract_sheet(b"GIF89a not really")


def _blank_png(width: int, height: int) -> bytes:
    """A 1-bit PNG of zeros: a few kilobytes on disk, width x height bytes once decoded."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize(("size", "reason"), [((9000, 9000), "9000x9000 pixels"), ((20000, 20000), "far too large")])
def test_a_small_file_declaring_a_huge_image_is_refused_before_it_is_decoded(monkeypatch, size, reason):
    from ml.hands import extract

    data = _blank_png(*size)
    assert len(data) < 100_000

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(extract.cv2, "imdecode", no_decoding)
    with pytest.raises(SheetError, match=reason):
        extract.decode_photo(data)
