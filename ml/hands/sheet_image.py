"""The template drawn as a grey raster, from the same layout as the PDF.

The benchmark and tests need a "printed" sheet to write on and photograph in
simulation; drawing it here (OpenCV, worker side) keeps them independent of a
PDF rasteriser being installed.
"""

from __future__ import annotations

import cv2
import numpy as np

from ml.hands.template import LINE_MM, PAGE_H, PAGE_W, layout

BOX_GREY = 140  # the PDF's 0.55 grey


def render_sheet(ppm: float = 8.0) -> np.ndarray:
    """(H, W) uint8 sheet, white paper, at ``ppm`` pixels per millimetre."""
    sheet = np.full((round(PAGE_H * ppm), round(PAGE_W * ppm)), 255, np.uint8)
    for marker in layout().markers:
        cell = marker.size / 6 * ppm
        for r, row in enumerate(marker.cells()):
            for c, dark in enumerate(row):
                if dark:
                    x0, y0 = round(marker.x * ppm + c * cell), round(marker.y * ppm + r * cell)
                    sheet[y0:round(marker.y * ppm + (r + 1) * cell),
                          x0:round(marker.x * ppm + (c + 1) * cell)] = 0
    for label in layout().labels:
        scale = label.size * 0.3528 * ppm / 22.0  # points to mm to Hershey units (~22 px per unit height)
        cv2.putText(sheet, label.text, (round(label.x * ppm), round(label.y * ppm)), cv2.FONT_HERSHEY_SIMPLEX,
                    scale, 0, max(1, round(scale * 1.5)), cv2.LINE_AA)
    line = max(1, round(LINE_MM * ppm))
    for box in layout().boxes:
        cv2.rectangle(sheet, (round(box.x * ppm), round(box.y * ppm)),
                      (round((box.x + box.w) * ppm), round((box.y + box.h) * ppm)), BOX_GREY, line)
    return sheet


def write_glyph(sheet: np.ndarray, box, glyph: np.ndarray, *, ppm: float = 8.0, fill: float = 0.75,
                ink: int = 25) -> None:
    """Paste a white-on-black 28x28 glyph into ``box`` as dark ink, in place (a pen on the printed sheet)."""
    side = round(box.w * ppm * fill)
    big = cv2.resize(glyph, (side, side), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
    x0 = round((box.x + box.w / 2) * ppm) - side // 2
    y0 = round((box.y + box.h / 2) * ppm) - side // 2
    region = sheet[y0:y0 + side, x0:x0 + side].astype(np.float32)
    inked = region * (1 - np.clip(big, 0, 1)) + ink * np.clip(big, 0, 1)
    sheet[y0:y0 + side, x0:x0 + side] = np.minimum(region, inked).astype(np.uint8)
