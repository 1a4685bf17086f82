"""Reading, cleaning and measuring one GAN-drawn glyph bitmap.

GAN output is a 28×28 grey image (white ink on black, MNIST convention) that
may carry faint haze and isolated speckle.  Layout needs three facts about it:
where the ink is (to crop), how thick the pen was (so procedural punctuation
matches), and whether there is anything there at all (so the generation
service can redraw a blank glyph).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .components import split_components
from .contour import contour_length

DEFAULT_INK_THRESHOLD = 64
# A glyph with fewer ink pixels than this, or whose ink box is smaller than
# MIN_INK_EXTENT on both sides, cannot be read as a character: a '1' in MNIST
# has ~60 pixels above the threshold, a dot-sized blob ~10.
MIN_INK_PIXELS = 12
MIN_INK_EXTENT = 4
# Zero border kept around the cropped ink so interpolation and contour tracing
# fade out to background instead of stopping at a hard edge.
CROP_PAD = 2


def as_glyph_array(glyph: object) -> np.ndarray:
    """Coerce a glyph (uint8 array, float array in 0..1, bool mask, PIL image) to a 2-D uint8 array."""
    arr = np.asarray(glyph)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 2 or min(arr.shape) < 2:
        raise ValueError(f"a glyph must be a 2-D grey image, got an array of shape {arr.shape}")
    if arr.dtype == bool:
        return arr.astype(np.uint8) * 255
    if not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"a glyph must hold numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)):
            raise ValueError("a glyph must not contain NaN or infinite values")
        if arr.size and float(arr.max()) <= 1.0:
            arr = arr * 255.0
        return np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    return np.clip(arr, 0, 255).astype(np.uint8)


def _zero_pad(arr: np.ndarray, n: int) -> np.ndarray:
    """np.pad with zeros, without its per-call overhead (this runs several times per glyph)."""
    h, w = arr.shape
    out = np.zeros((h + 2 * n, w + 2 * n), dtype=arr.dtype)
    out[n : n + h, n : n + w] = arr
    return out


def _has_ink_neighbour(mask: np.ndarray) -> np.ndarray:
    """True where at least one of the 8 neighbours is ink."""
    padded = _zero_pad(mask.astype(np.int16), 1)
    h, w = mask.shape
    count = np.zeros(mask.shape, dtype=np.int16)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if dy == 1 and dx == 1:
                continue
            count += padded[dy : dy + h, dx : dx + w]
    return count > 0


def _clean_mask(arr: np.ndarray, threshold: int) -> np.ndarray:
    mask = arr >= threshold
    return mask & _has_ink_neighbour(mask)


def _clean_masks(stack: np.ndarray, threshold: int) -> np.ndarray:
    """``_clean_mask`` of every image of an (N, h, w) stack at once."""
    mask = stack >= threshold
    n, h, w = mask.shape
    padded = np.zeros((n, h + 2, w + 2), dtype=np.int16)
    padded[:, 1 : h + 1, 1 : w + 1] = mask
    count = np.zeros(mask.shape, dtype=np.int16)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if dy == 1 and dx == 1:
                continue
            count += padded[:, dy : dy + h, dx : dx + w]
    return mask & (count > 0)


def _stack_boxes(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per mask of an (N, h, w) stack: (top, left, bottom, right) like ``_mask_bbox``, and blankness."""
    n, h, w = masks.shape
    rows, cols = masks.any(axis=2), masks.any(axis=1)
    top, left = rows.argmax(axis=1), cols.argmax(axis=1)
    bottom, right = h - rows[:, ::-1].argmax(axis=1), w - cols[:, ::-1].argmax(axis=1)
    boxes = np.stack([top, left, bottom, right], axis=1)
    extent = np.maximum(bottom - top, right - left)
    blank = ~rows.any(axis=1) | (masks.sum(axis=(1, 2)) < MIN_INK_PIXELS) | (extent < MIN_INK_EXTENT)
    return boxes, blank


def _mask_bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def _mask_is_blank(mask: np.ndarray, box: tuple[int, int, int, int] | None) -> bool:
    if box is None or int(mask.sum()) < MIN_INK_PIXELS:
        return True
    top, left, bottom, right = box
    return max(bottom - top, right - left) < MIN_INK_EXTENT


def ink_mask(glyph: object, threshold: int = DEFAULT_INK_THRESHOLD) -> np.ndarray:
    """Pixels at or above ``threshold``, minus isolated single-pixel specks (GAN noise)."""
    return _clean_mask(as_glyph_array(glyph), threshold)


def ink_bbox(glyph: object, threshold: int = DEFAULT_INK_THRESHOLD) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the ink, bottom/right exclusive; None when blank."""
    return _mask_bbox(ink_mask(glyph, threshold))


def glyph_is_blank(glyph: object, threshold: int = DEFAULT_INK_THRESHOLD) -> bool:
    """True when a glyph has too little ink to be read; the generation service redraws those."""
    mask = ink_mask(glyph, threshold)
    return _mask_is_blank(mask, _mask_bbox(mask))


def glyphs_are_blank(glyphs: np.ndarray, threshold: int = DEFAULT_INK_THRESHOLD) -> np.ndarray:
    """``glyph_is_blank`` of each image of a uint8 (N, h, w) stack, in one pass (the redraw loop's check)."""
    stack = np.asarray(glyphs)
    if stack.ndim != 3 or stack.dtype != np.uint8:
        return np.array([glyph_is_blank(g, threshold) for g in stack], dtype=bool)
    if len(stack) == 0:
        return np.zeros(0, dtype=bool)
    return _stack_boxes(_clean_masks(stack, threshold))[1]


def stroke_width(glyph: object) -> float:
    """Pen width in glyph pixels.

    A stroke of length L and width w has area A = L·w and perimeter
    P = 2(L + w), so w is the smaller root of t² − (P/2)·t + A = 0.  A is the
    ink mass (sum of intensities, which a blurred edge preserves) and P the
    length of the half-intensity contour.  Loops (o, 0) and several strokes add
    little error; a blob with no stroke-like shape falls back to P/4.
    """
    return bitmap_stroke_width(as_glyph_array(glyph).astype(np.float64) / 255.0)


def bitmap_stroke_width(arr: np.ndarray) -> float:
    """``stroke_width`` of a float image already in 0..1 (ink = 1)."""
    area = float(arr.sum())
    perimeter = contour_length(_zero_pad(arr, 1), 0.5)
    if area <= 0.0 or perimeter <= 0.0:
        return 0.0
    half = perimeter / 2.0
    disc = half * half - 4.0 * area
    if disc <= 0.0:
        return half / 2.0
    return float(half - np.sqrt(disc)) / 2.0


@dataclass(frozen=True, eq=False)
class PreparedGlyph:
    """A cleaned glyph cropped to its ink, ready to be scaled onto the page.

    bitmap: float32 in 0..1 (ink = 1), ink box plus a zero border of CROP_PAD px
    (plus one px of soft edge); ink_box: (x0, y0, x1, y1) of the thresholded ink
    inside ``bitmap``.
    """

    bitmap: np.ndarray
    ink_box: tuple[float, float, float, float]


def _drop_specks(arr: np.ndarray, mask: np.ndarray, ch: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(image, mask) without the ink components that are not part of ``ch`` (and their soft rims)."""
    if ch is None:
        return arr, mask
    kept, specks = split_components(arr, mask, ch)
    if not specks:
        return arr, mask
    dropped = _has_ink_neighbour(mask & ~kept) | (mask & ~kept)
    return np.where(dropped & ~kept, 0, arr).astype(arr.dtype), kept


def speck_counts(glyphs: np.ndarray, chars, threshold: int = DEFAULT_INK_THRESHOLD) -> np.ndarray:
    """Per uint8 glyph of an (N, h, w) stack: the ink components that are not part of its character."""
    stack = np.asarray(glyphs)
    masks = _clean_masks(stack, threshold) if len(stack) else np.zeros(stack.shape, bool)
    return np.array([split_components(img, m, ch)[1] for img, m, ch in zip(stack, masks, chars, strict=True)],
                    dtype=np.int64)


def prepare_glyph(glyph: object, threshold: int = DEFAULT_INK_THRESHOLD, char: str | None = None) -> PreparedGlyph | None:
    """Clean a glyph (specks, and with ``char`` the components that are not part of it) and crop it to its ink;
    None when it is blank."""
    arr = as_glyph_array(glyph)
    mask = _clean_mask(arr, threshold)
    if _mask_is_blank(mask, _mask_bbox(mask)):
        return None
    clean = np.where((arr >= threshold) & ~mask, 0, arr)  # drop the single-pixel specks
    clean, mask = _drop_specks(clean, mask, char)
    box = _mask_bbox(mask)
    assert box is not None
    return _crop(clean, box)


def prepare_glyphs(glyphs, threshold: int = DEFAULT_INK_THRESHOLD, chars=None) -> list[PreparedGlyph | None]:
    """``prepare_glyph`` of each entry (None stays None), equal results, less time per glyph.

    The same glyph object at several positions (a caller may reuse a drawing) is prepared
    once; same-sized uint8 glyphs are thresholded and measured in one vectorised pass.
    ``chars[i]``, when given, is the character ``glyphs[i]`` draws, for the component clean-up.
    """
    out: list[PreparedGlyph | None] = [None] * len(glyphs)
    first: dict[int, int] = {}  # id(glyph) -> position of its first occurrence
    batch: list[int] = []
    for i, glyph in enumerate(glyphs):
        if glyph is None or id(glyph) in first:
            continue
        first[id(glyph)] = i
        if isinstance(glyph, np.ndarray) and glyph.dtype == np.uint8 and glyph.ndim == 2 and min(glyph.shape) >= 2:
            batch.append(i)
        else:
            out[i] = prepare_glyph(glyph, threshold, None if chars is None else chars[i])
    for shape in {glyphs[i].shape for i in batch}:
        members = [i for i in batch if glyphs[i].shape == shape]
        stack = np.stack([glyphs[i] for i in members])
        masks = _clean_masks(stack, threshold)
        _, blank = _stack_boxes(masks)
        clean = np.where((stack >= threshold) & ~masks, 0, stack)
        for k, i in enumerate(members):
            if blank[k]:
                continue
            arr, mask = _drop_specks(clean[k], masks[k], None if chars is None else chars[i])
            box = _mask_bbox(mask)
            if box is not None:
                out[i] = _crop(arr, box)
    for i, glyph in enumerate(glyphs):
        if glyph is not None and first[id(glyph)] != i:
            out[i] = out[first[id(glyph)]]
    return out


def _crop(clean: np.ndarray, box: tuple[int, int, int, int]) -> PreparedGlyph:
    top, left, bottom, right = box
    # Keep one pixel of the anti-aliased rim that lies just below the threshold.
    h, w = clean.shape
    t, lft, b, r = max(top - 1, 0), max(left - 1, 0), min(bottom + 1, h), min(right + 1, w)
    crop = clean[t:b, lft:r].astype(np.float32) / 255.0
    bitmap = _zero_pad(crop, CROP_PAD)
    off_x, off_y = CROP_PAD + (left - lft), CROP_PAD + (top - t)
    ink_box = (float(off_x), float(off_y), float(off_x + right - left), float(off_y + bottom - top))
    return PreparedGlyph(bitmap=bitmap, ink_box=ink_box)
