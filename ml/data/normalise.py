"""Turn any picture of one character into an MNIST-style 28x28 glyph.

MNIST's recipe (LeCun et al.): the ink's bounding box is scaled, keeping its
aspect ratio, to fit a 20x20 box, then placed in a 28x28 field so that its centre
of mass sits at the centre; white ink on black. Every non-IDX source (a user's
handwriting, notMNIST PNGs, font renderings) goes through the same steps, so a
generator sees one image style whatever the data came from.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

GLYPH_BOX = 20
CANVAS = 28
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is the largest picture of one character we accept
WORK_SIDE = 256  # pictures are reduced to this side before analysis: bounded memory and time
MIN_CONTRAST = 24  # grey levels between background and ink below which we call the picture blank
NOISE_FLOOR = 0.2  # ink strength (0..1) below which a pixel counts as background
MIN_STROKE = 2.8  # output pixels before anti-aliasing; gives MNIST-like strokes (median 1.8 by stroke_width)


class GlyphError(ValueError):
    """The picture cannot become a glyph (unreadable, too large, blank); the message says why."""


def decode_picture(data: bytes) -> np.ndarray:
    """Decode image bytes to a 2-D float grey array, dark-on-light or light-on-dark as it came.

    Reduces large pictures while decoding (JPEG draft mode, then a box filter) so a
    phone photo never costs more than a few megabytes.
    """
    try:
        img = Image.open(io.BytesIO(data))
        width, height = img.size
        if width * height > MAX_PIXELS:
            raise GlyphError(f"image too large: {width}x{height} pixels (at most {MAX_PIXELS:,})")
        if img.format == "JPEG":
            img.draft("L", (WORK_SIDE, WORK_SIDE))
        img.load()
        img = ImageOps.exif_transpose(img)
    except GlyphError:
        raise
    except Image.DecompressionBombError as exc:
        raise GlyphError(f"image too large ({exc})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise GlyphError(f"unreadable image ({exc})") from None
    if max(img.size) > WORK_SIDE:
        img.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    return _to_grey(img)


def _to_grey(img: Image.Image) -> np.ndarray:
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max()
        return arr * (255.0 / top) if top > 0 else arr
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float64)
        alpha = rgba[..., 3] / 255.0
        grey = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
        if alpha.min() < 0.98:
            # Transparent pixels are background; put them behind the ink on the contrasting side.
            opaque = alpha > 0.5
            ink_is_dark = not opaque.any() or grey[opaque].mean() < 128
            backdrop = 255.0 if ink_is_dark else 0.0
            return grey * alpha + backdrop * (1 - alpha)
        return grey
    return np.asarray(img.convert("L"), dtype=np.float64)


def to_ink(grey: np.ndarray) -> np.ndarray:
    """Ink strength in [0, 1] (1 = full ink, 0 = background) from a grey picture.

    The background is the median of the border; a light border means dark ink on
    light paper, which is inverted. Ink strength is scaled between the background
    level and the typical level of the pixels that stand out, so grey paper, pencil and photos all end up
    white-on-black, and faint noise below NOISE_FLOOR is dropped.
    """
    grey = np.asarray(grey, dtype=np.float64)
    if grey.ndim != 2 or min(grey.shape) < 1:
        raise GlyphError("not a 2-D picture")
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    if background > 127.5:
        grey, background = 255.0 - grey, 255.0 - background
    candidates = grey[grey > background + MIN_CONTRAST]
    if not len(candidates):
        raise GlyphError("blank image: no ink stands out from the background")
    top = float(np.percentile(candidates, 95))  # the ink level, robust to a few hot pixels
    ink = np.clip((grey - background) / (top - background), 0.0, 1.0)
    ink[ink < NOISE_FLOOR] = 0.0
    return ink


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width in pixels: 2 * area / perimeter, exact for long thin strokes."""
    mask = ink > 0.5
    area = mask.sum()
    if not area:
        return 0.0
    padded = np.pad(mask, 1)
    perimeter = (np.diff(padded, axis=0) != 0).sum() + (np.diff(padded, axis=1) != 0).sum()
    return 2.0 * area / max(perimeter, 1)


def _thicken(ink: np.ndarray, scale: float) -> np.ndarray:
    """Dilate strokes that would come out thinner than MIN_STROKE once scaled by ``scale``."""
    needed = MIN_STROKE / scale
    width = stroke_width(ink)
    grow = int(round((needed - width) / 2))
    if width == 0 or grow < 1:
        return ink
    return dilate(ink, min(grow, 16))


def dilate(ink: np.ndarray, grow: int) -> np.ndarray:
    """Grey dilation by a (2*grow+1)-square, padded by ``grow``: two 1-D passes, O(grow) per pixel."""
    out = np.pad(ink, grow)
    rows = np.pad(out, ((grow, grow), (0, 0)))
    out = np.max([rows[s:s + out.shape[0]] for s in range(2 * grow + 1)], axis=0)
    cols = np.pad(out, ((0, 0), (grow, grow)))
    return np.max([cols[:, s:s + out.shape[1]] for s in range(2 * grow + 1)], axis=0)


def _crop(ink: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(ink.max(axis=1) > 0)
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    if not len(rows):
        raise GlyphError("blank image: no ink")
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def normalise_ink(ink: np.ndarray) -> np.ndarray:
    """MNIST placement of an ink map (values in [0, 1] or 0..255): a (28, 28) uint8 glyph."""
    ink = np.asarray(ink, dtype=np.float64)
    if ink.max() > 1.0:
        ink = ink / 255.0
    crop = _crop(ink)
    crop = _crop(_thicken(crop, GLYPH_BOX / max(crop.shape)))
    height, width = crop.shape
    scale = GLYPH_BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.Resampling.LANCZOS)
    box = np.clip(np.asarray(small, dtype=np.float64), 0.0, None)
    if box.max() <= 0:
        raise GlyphError("blank image: the ink vanished when scaled")
    box /= box.max()  # thin strokes of a large photo stay visible after scaling down
    yy, xx = np.indices(box.shape)
    total = box.sum()
    cy, cx = (yy * box).sum() / total, (xx * box).sum() / total
    top, left = round(CANVAS / 2 - 0.5 - cy), round(CANVAS / 2 - 0.5 - cx)
    canvas = np.zeros((CANVAS, CANVAS), np.float64)
    # Paste with clipping: a lopsided glyph may push a pixel or two past the edge.
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + box.shape[0], CANVAS), min(left + box.shape[1], CANVAS)
    canvas[y0:y1, x0:x1] = box[y0 - top:y1 - top, x0 - left:x1 - left]
    return np.round(canvas * 255).astype(np.uint8)


def glyph_from_picture(data: bytes) -> np.ndarray:
    """Image bytes of one character (any size, any background) -> MNIST-style (28, 28) uint8."""
    return normalise_ink(to_ink(decode_picture(data)))
