"""Read a photo or scan of the filled-in template: one normalised glyph per written box.

OpenCV (headless) does the vision work because it has everything this needs in
one well-kept, fast package: ArUco marker detection (``cv2.aruco``), homography
fitting, perspective warping, morphology and connected components. Steps:

1. decode (EXIF orientation applied), shrink to at most ``MAX_SIDE`` pixels;
2. find the four corner markers; a missing one means the sheet is cut off or covered;
3. fit the homography from the 16 marker corners to sheet millimetres and warp the
   photo to a flat sheet at ``PPM`` pixels per millimetre;
4. check the light and sharpness on the flat sheet (the markers are known black/white
   squares, so their contrast and edge steepness measure the photo, not the handwriting);
5. divide by a smooth background estimate (uneven light, shadows), so ink is measured
   against the paper right around it;
6. per box: cut inside the printed border, wipe what is left of the border, binarise,
   drop specks, then ``ml.data.normalise.normalise_ink``: the same MNIST placement every
   training image went through, so the generator sees the user's glyphs in its own style.

Errors are ``SheetError`` with a message a user can act on; nothing is returned then.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from ml.data.normalise import GlyphError, normalise_ink
from ml.hands.template import MARKER_DICT, PAGE_H, PAGE_W, Box, layout

PPM = 8.0  # pixels per millimetre of the flattened sheet (~200 dpi)
MAX_SIDE = 4000
MAX_PIXELS = 60_000_000
INSET_MM = 1.1  # cut this far inside each printed box line
EDGE_MM = 1.6  # strip along each cut edge searched for left-over border line
INK_THRESHOLD = 0.35  # darkness relative to the local paper that counts as pen ink
MIN_INK_PIXELS = 40  # fewer ink pixels than this (at PPM) is an empty box
MIN_SPECK = 8  # connected ink smaller than this is dust or JPEG noise
MIN_MARKER_CONTRAST = 60  # grey levels between a marker's white and black cells
MIN_PAPER_LEVEL = 60  # the flattened paper's median grey below this is too dark
MIN_SHARPNESS = 0.11  # steepest edge step per pixel / marker contrast; below this is too blurry
MIN_PHOTO_SHARPNESS = 0.13  # the same measure over the whole photo, when no marker was found
CORNER_NAMES = {0: "top-left", 1: "top-right", 2: "bottom-right", 3: "bottom-left"}


class SheetError(ValueError):
    """The photo cannot be read as a template sheet; the message says why and what to do."""


@dataclass
class BoxGlyph:
    box: Box
    glyph: np.ndarray | None  # (28, 28) uint8 white-on-black, None when the box is empty
    ink_pixels: int


@dataclass
class ExtractedSheet:
    glyphs: list[BoxGlyph]
    flat: np.ndarray  # the flattened, light-corrected sheet (uint8 grey), for review and debugging
    quality: dict = field(default_factory=dict)

    @property
    def filled(self) -> list[BoxGlyph]:
        return [g for g in self.glyphs if g.glyph is not None]


def decode_photo(data: bytes) -> np.ndarray:
    """Bytes -> uint8 grey, orientation from EXIF applied; SheetError when unreadable or huge."""
    buffer = np.frombuffer(data, np.uint8)
    if not len(buffer):
        raise SheetError("The file is empty.")
    _check_declared_size(data)
    image = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise SheetError("The file is not an image OpenCV can read (JPEG, PNG, WebP, TIFF or BMP).")
    if image.size > MAX_PIXELS:
        raise SheetError(f"The image is too large: {image.shape[1]}x{image.shape[0]} pixels.")
    scale = MAX_SIDE / max(image.shape)
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image


def _check_declared_size(data: bytes) -> None:
    """Refuse before decoding what the header says is too large: a few kilobytes of PNG can
    declare an image that would take gigabytes once decoded. A header Pillow cannot read is
    left to OpenCV."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        raise SheetError(f"The image is far too large: at most {MAX_PIXELS // 1_000_000} million pixels.") from None
    except Exception:  # noqa: BLE001
        return
    if width * height > MAX_PIXELS:
        raise SheetError(f"The image is too large: {width}x{height} pixels.")


def _find_markers(grey: np.ndarray) -> dict[int, np.ndarray]:
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, MARKER_DICT)),
                                       cv2.aruco.DetectorParameters())
    corners, ids, _ = detector.detectMarkers(grey)
    found = {}
    wanted = {m.id for m in layout().markers}
    for quad, marker_id in zip(corners, [] if ids is None else ids.ravel(), strict=False):
        if int(marker_id) in wanted and int(marker_id) not in found:
            found[int(marker_id)] = quad.reshape(4, 2)
    return found


def _explain_missing(grey: np.ndarray, found: dict[int, np.ndarray]) -> str:
    if np.median(grey) < MIN_PAPER_LEVEL:
        return "The photo is too dark to find the sheet: take it in brighter, even light."
    # The steepest edges in the photo against its overall contrast: a sharp photo of a
    # printed page has black-on-white steps across a pixel or two. Blur is what most
    # often hides a marker, so it is named before a cut-off sheet.
    low, high = np.percentile(grey, [1, 99])
    steepest = np.percentile(np.abs(np.diff(grey.astype(np.float32), axis=1)), 99.9)
    if steepest / max(high - low, 1.0) < MIN_PHOTO_SHARPNESS:
        return "The photo is too blurry to find the sheet's corner squares: hold the camera still and focus."
    if not found:
        return ("No corner markers found: is this a photo of the HandGen template? "
                "All four black corner squares must be in view.")
    missing = [CORNER_NAMES[i] for i in sorted(CORNER_NAMES) if i not in found]
    return (f"The sheet is cut off or covered: the {', '.join(missing)} corner "
            f"square{'s are' if len(missing) > 1 else ' is'} not in the photo. "
            "Photograph the whole sheet with all four corner squares in view.")


def _flatten(grey: np.ndarray, found: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Warp to the sheet at PPM; also return which flat pixels came from inside the photo."""
    src, dst = [], []
    for marker in layout().markers:
        src.extend(found[marker.id])
        dst.extend([(x * PPM, y * PPM) for x, y in marker.corners()])
    homography, _ = cv2.findHomography(np.float32(src), np.float32(dst), cv2.RANSAC, 3.0 * PPM)
    if homography is None:
        raise SheetError("The corner squares do not fit a flat sheet: lay the sheet flat and photograph it again.")
    size = (round(PAGE_W * PPM), round(PAGE_H * PPM))
    flat = cv2.warpPerspective(grey, homography, size, flags=cv2.INTER_LINEAR, borderValue=0)
    inside = cv2.warpPerspective(np.full(grey.shape, 255, np.uint8), homography, size, flags=cv2.INTER_NEAREST)
    return flat, inside > 0


def _marker_quality(flat: np.ndarray) -> dict:
    """Contrast and edge steepness of the printed markers on the flat sheet."""
    contrasts, sharpness = [], []
    for marker in layout().markers:
        x0, y0 = round(marker.x * PPM), round(marker.y * PPM)
        side = round(marker.size * PPM)
        patch = flat[y0:y0 + side, x0:x0 + side].astype(np.float64)
        cells = np.array(marker.cells())
        cell = side / 6
        means = {True: [], False: []}
        for r in range(6):
            for c in range(6):
                inner = patch[round((r + 0.3) * cell):round((r + 0.7) * cell), round((c + 0.3) * cell):round((c + 0.7) * cell)]
                means[bool(cells[r, c])].append(inner.mean())
        contrast = float(np.median(means[False]) - np.median(means[True]))
        contrasts.append(contrast)
        grad = np.abs(np.diff(cv2.GaussianBlur(patch, (0, 0), 0.6), axis=1))
        sharpness.append(float(np.percentile(grad, 99.5)) / max(contrast, 1.0))
    return {"marker_contrast": min(contrasts), "sharpness": float(np.median(sharpness))}


def _ink_map(flat: np.ndarray) -> np.ndarray:
    """Darkness against the local paper, 0 (paper) .. 1 (black): divides out uneven light."""
    small = cv2.resize(flat, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    paper = cv2.dilate(small, np.ones((9, 9), np.uint8))  # ink strokes are thinner than 9 px here
    paper = cv2.GaussianBlur(cv2.medianBlur(paper, 9), (0, 0), 3)
    paper = cv2.resize(paper, (flat.shape[1], flat.shape[0]), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return np.clip(1.0 - flat.astype(np.float32) / np.maximum(paper, 1.0), 0.0, 1.0)


def _wipe_border(mask: np.ndarray) -> None:
    """In place: clear rows/columns along the cut edges that a straight printed line fills."""
    edge = max(1, round(EDGE_MM * PPM))
    h, w = mask.shape
    for i in list(range(edge)) + list(range(h - edge, h)):
        if mask[i].mean() > 0.5:
            mask[i] = False
    for j in list(range(edge)) + list(range(w - edge, w)):
        if mask[:, j].mean() > 0.5:
            mask[:, j] = False


def _box_glyph(ink: np.ndarray, box: Box) -> BoxGlyph:
    y0, y1 = round((box.y + INSET_MM) * PPM), round((box.y + box.h - INSET_MM) * PPM)
    x0, x1 = round((box.x + INSET_MM) * PPM), round((box.x + box.w - INSET_MM) * PPM)
    cut = ink[y0:y1, x0:x1]
    mask = cut > INK_THRESHOLD
    _wipe_border(mask)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= MIN_SPECK
    mask = keep[labels]
    pixels = int(mask.sum())
    if pixels < MIN_INK_PIXELS:
        return BoxGlyph(box, None, pixels)
    soft = cut * cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8))
    try:
        glyph = normalise_ink(soft)
    except GlyphError:
        return BoxGlyph(box, None, pixels)
    return BoxGlyph(box, glyph, pixels)


def extract_sheet(data: bytes) -> ExtractedSheet:
    """Photo bytes -> every box's glyph (None for empty boxes); SheetError with the reason otherwise."""
    grey = decode_photo(data)
    found = _find_markers(grey)
    if len(found) < len(layout().markers):
        raise SheetError(_explain_missing(grey, found))
    flat, inside = _flatten(grey, found)
    quality = _marker_quality(flat)
    paper = float(np.median(flat[inside]))
    quality["paper_level"] = paper
    if paper < MIN_PAPER_LEVEL or quality["marker_contrast"] < MIN_MARKER_CONTRAST:
        raise SheetError("The photo is too dark: the paper and the ink are hard to tell apart. "
                         "Take it again in brighter, even light.")
    if quality["sharpness"] < MIN_SHARPNESS:
        raise SheetError("The photo is too blurry to read the handwriting: hold the camera still, "
                         "let it focus, and take it again.")
    for box in layout().boxes:
        y0, x0 = round(box.y * PPM), round(box.x * PPM)
        if not inside[y0:round((box.y + box.h) * PPM), x0:round((box.x + box.w) * PPM)].all():
            raise SheetError("The sheet is cut off: some boxes are outside the photo. "
                             "Photograph the whole sheet.")
    ink = _ink_map(flat)
    glyphs = [_box_glyph(ink, box) for box in layout().boxes]
    corrected = np.clip(255.0 * (1.0 - ink), 0, 255).astype(np.uint8)
    return ExtractedSheet(glyphs, corrected, quality)
