"""The template sheet as data: where every marker, box and label sits, in millimetres.

One layout feeds both the PDF a user prints (``template_pdf``) and the extractor
that reads a photo of it (``extract``), so a box can never be drawn in one place
and looked for in another. Coordinates are millimetres from the sheet's top-left
corner, y downwards (the way a photo is read); the PDF renderer flips them.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache

PAGE_W, PAGE_H = 210.0, 297.0  # A4
MARKER_SIZE = 14.0
MARKER_MARGIN = 8.0
MARKER_DICT = "DICT_4X4_50"  # cv2.aruco dictionary: 4x4 bits are the largest cells, robust to blur
MARKER_IDS = (0, 1, 2, 3)  # top-left, top-right, bottom-right, bottom-left
# Inner 4x4 bits (1 = white) of those ArUco markers, inside a one-cell black border: kept
# here so the PDF can be drawn without loading OpenCV in the web process (a test checks
# them against cv2.aruco).
MARKER_BITS = {
    0: ("1011", "0101", "0011", "0010"),
    1: ("0000", "1111", "1001", "1010"),
    2: ("0011", "0011", "0010", "1101"),
    3: ("1001", "1001", "0100", "0110"),
}
SAMPLES = 2  # boxes per character
BOX = 13.0
BOX_GAP = 1.5
CELL_W = SAMPLES * BOX + (SAMPLES - 1) * BOX_GAP + 4.5
LABEL_H = 4.0
ROW_H = LABEL_H + BOX + 1.5
COLUMNS = 6
GRID_LEFT = (PAGE_W - COLUMNS * CELL_W) / 2 + 2.25
GRID_TOP = 27.0
LINE_MM = 0.3  # box border width
PUNCTUATION = ".,!?'\"-:;()"
CHARACTERS = string.ascii_uppercase + string.ascii_lowercase + string.digits + PUNCTUATION
INSTRUCTION = ("Write one character per box in dark pen, inside the lines; leave a box empty to skip it.",
               "Photograph or scan the whole sheet, flat and evenly lit, with all four corner squares in view.")
TITLE = "HandGen handwriting sheet"


@dataclass(frozen=True)
class Box:
    """One writing box: the character it is for, which sample, and its rectangle in mm."""

    char: str
    sample: int
    x: float
    y: float
    w: float = BOX
    h: float = BOX

    @property
    def key(self) -> str:
        """A stable name for the box (file names, form fields): code point and sample."""
        return f"{ord(self.char):04x}-{self.sample}"


@dataclass(frozen=True)
class Marker:
    id: int
    x: float
    y: float
    size: float = MARKER_SIZE

    def cells(self) -> list[list[bool]]:
        """6x6 cells, True = black: the border ring plus the inner bits."""
        bits = MARKER_BITS[self.id]
        return [[r in (0, 5) or c in (0, 5) or bits[r - 1][c - 1] == "0" for c in range(6)] for r in range(6)]

    def corners(self) -> list[tuple[float, float]]:
        """Clockwise from top-left, the order cv2.aruco reports detected corners in."""
        s = self.size
        return [(self.x, self.y), (self.x + s, self.y), (self.x + s, self.y + s), (self.x, self.y + s)]


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float  # baseline
    size: float = 7.0  # points


@dataclass(frozen=True)
class Layout:
    boxes: tuple[Box, ...]
    markers: tuple[Marker, ...]
    labels: tuple[Label, ...]

    def boxes_for(self, char: str) -> list[Box]:
        return [b for b in self.boxes if b.char == char]


def label_text(char: str) -> str:
    """What the label says: letters say their case, so l, I and 1 are never confused."""
    if char.isupper():
        return f"{char} (capital)"
    if char.islower():
        return f"{char} (small)"
    if char.isdigit():
        return f"{char} (digit)"
    return f"{char}"


@cache
def layout() -> Layout:
    m, s = MARKER_MARGIN, MARKER_SIZE
    markers = (Marker(0, m, m), Marker(1, PAGE_W - m - s, m), Marker(2, PAGE_W - m - s, PAGE_H - m - s),
               Marker(3, m, PAGE_H - m - s))
    boxes, labels = [], [Label(TITLE, 30.0, 13.0, 11.0)]
    labels += [Label(line, 30.0, 18.0 + 4.0 * k) for k, line in enumerate(INSTRUCTION)]
    for i, char in enumerate(CHARACTERS):
        row, col = divmod(i, COLUMNS)
        x0 = GRID_LEFT + col * CELL_W
        y0 = GRID_TOP + row * ROW_H
        labels.append(Label(label_text(char), x0, y0 + LABEL_H - 1.0))
        for k in range(SAMPLES):
            boxes.append(Box(char, k, x0 + k * (BOX + BOX_GAP), y0 + LABEL_H))
    return Layout(tuple(boxes), markers, tuple(labels))
