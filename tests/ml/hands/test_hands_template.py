"""The sheet layout, its PDF and its raster agree, and the markers are real ArUco markers."""

import itertools
import shutil
import subprocess

import cv2
import numpy as np
import pytest

from ml.hands.sheet_image import render_sheet
from ml.hands.template import CHARACTERS, MARKER_BITS, PAGE_H, PAGE_W, layout
from ml.hands.template_pdf import template_pdf


def test_every_letter_digit_and_mark_has_at_least_two_boxes_inside_the_page_without_overlap():
    sheet = layout()
    for char in CHARACTERS:
        assert len(sheet.boxes_for(char)) >= 2, char
    rects = [(b.x, b.y, b.x + b.w, b.y + b.h) for b in sheet.boxes]
    rects += [(m.x, m.y, m.x + m.size, m.y + m.size) for m in sheet.markers]
    for x0, y0, x1, y1 in rects:
        assert 0 < x0 < x1 < PAGE_W and 0 < y0 < y1 < PAGE_H
    for a, b in itertools.combinations(rects, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert set(CHARACTERS) >= set("aA0.,!?'\"-:;()zZ9")


def test_marker_bits_are_the_aruco_dictionary_ones():
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for marker_id, rows in MARKER_BITS.items():
        image = cv2.aruco.generateImageMarker(dictionary, marker_id, 6)
        expected = tuple("".join("1" if v else "0" for v in row) for row in image[1:5, 1:5])
        assert rows == expected


def test_pdf_is_one_a4_page_with_the_instructions():
    pdf = template_pdf()
    assert pdf.startswith(b"%PDF-")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf
    assert b"/Count 1" in pdf
    assert template_pdf() == pdf  # deterministic (invariant mode): cacheable, diffable


def test_the_rendered_sheet_shows_all_four_markers_where_the_layout_puts_them():
    sheet = render_sheet(ppm=6.0)
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50))
    corners, ids, _ = detector.detectMarkers(sheet)
    assert sorted(ids.ravel().tolist()) == [0, 1, 2, 3]
    for quad, marker_id in zip(corners, ids.ravel(), strict=True):
        expected = np.array(layout().markers[marker_id].corners()) * 6.0
        assert np.abs(quad.reshape(4, 2) - expected).max() < 3.0


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_pdf_itself_rasterised_and_written_on_is_read_back_box_by_box(tmp_path):
    """The PDF and the extractor share one layout: the real PDF, scanned, yields exactly the written boxes."""
    from ml.hands.extract import extract_sheet

    (tmp_path / "sheet.pdf").write_bytes(template_pdf())
    subprocess.run(["pdftoppm", "-r", "120", "-gray", "-png", str(tmp_path / "sheet.pdf"), str(tmp_path / "p")],
                   check=True, timeout=60)
    scan = cv2.imread(str(next(tmp_path.glob("p*.png"))), cv2.IMREAD_GRAYSCALE)
    ppm = scan.shape[1] / PAGE_W
    written = set()
    for box in layout().boxes[::5]:
        text = box.char if box.char.isalnum() else "x"
        origin = (round((box.x + 3) * ppm), round((box.y + box.h - 3) * ppm))
        cv2.putText(scan, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.25 * ppm, 20, 2, cv2.LINE_AA)
        written.add(box.key)
    ok, png = cv2.imencode(".png", scan)
    result = extract_sheet(png.tobytes())
    assert {g.box.key for g in result.filled} == written
