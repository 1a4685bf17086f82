"""Font-rendered characters, notMNIST style: every character of a charset in every font.

A folder (or ZIP) of .ttf/.otf files becomes a labelled set: each character is
drawn large in each font, then ``variants`` seeded distortions (ml.data.augment)
are normalised the MNIST way. The random stream of an image is keyed by the
font's SHA-256, the character and the variant number, so adding a font never
changes the images of the others and the same folder always gives the same data.
Characters a font lacks (it would draw its "missing glyph" box) are skipped and
counted, never drawn as boxes.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ml.data import charset as charsets
from ml.data.archive import DEFAULT_LIMITS, Limits, list_tree
from ml.data.arrays import LabelledImages
from ml.data.augment import MAX_SHEAR, augment
from ml.data.charset import Charset
from ml.data.errors import DatasetError
from ml.data.normalise import GlyphError, normalise_ink
from ml.data.splits import DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, split

FONT_SUFFIXES = (".ttf", ".otf")
RENDER_SIZE = 48  # font size in pixels; the canvas leaves room for slant and tall glyphs
CANVAS = 112
MISSING_PROBES = ("\ue000", "\U0010fffd")  # private-use code points no text font draws


@dataclass(frozen=True)
class FontOptions:
    charset: str = "letters-cased"
    variants: int = 8
    seed: int = 0


def _font_from_bytes(data: bytes, where: str) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(io.BytesIO(data), RENDER_SIZE)
    except (OSError, ValueError) as exc:
        raise DatasetError(where, f"unreadable font ({exc})") from None


def _draw(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray:
    img = Image.new("L", (CANVAS, CANVAS), 0)
    ImageDraw.Draw(img).text((CANVAS / 2, CANVAS / 2), ch, fill=255, font=font, anchor="mm")
    return np.asarray(img, dtype=np.float64) / 255.0


def _missing_glyph_masks(font: ImageFont.FreeTypeFont) -> list[np.ndarray]:
    return [_draw(font, probe) for probe in MISSING_PROBES]


def render_character(font: ImageFont.FreeTypeFont, ch: str, missing: list[np.ndarray]) -> np.ndarray | None:
    """The clean ink map of ``ch`` in ``font``, or None when the font has no glyph for it."""
    ink = _draw(font, ch)
    if ink.max() <= 0 or any(np.array_equal(ink, box) for box in missing):
        return None
    return _crop_with_margin(ink)


def _crop_with_margin(ink: np.ndarray) -> np.ndarray:
    """The glyph with room around it for bolder strokes, slant and warping (and 5x less work)."""
    rows = np.flatnonzero(ink.max(axis=1) > 0)
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    pad_y = 6
    pad_x = 6 + int(np.ceil(MAX_SHEAR * crop.shape[0] / 2))
    return np.pad(crop, ((pad_y, pad_y), (pad_x, pad_x)))


def render_fonts(path, *, options: FontOptions = FontOptions(), limits: Limits = DEFAULT_LIMITS,
                 ) -> tuple[LabelledImages, dict]:
    """Render every character of ``options.charset`` in every font under ``path``."""
    if not 1 <= options.variants <= 256:
        raise ValueError("variants must be from 1 to 256")
    cs: Charset = charsets.get_charset(options.charset)
    fonts = [e for e in list_tree(path, limits) if e.parts[-1].lower().endswith(FONT_SUFFIXES)]
    if not fonts:
        raise DatasetError(path, "no .ttf or .otf font files found")
    chars = sorted(cs.characters())
    glyphs, labels, missing_count, per_font = [], [], 0, {}
    for entry in fonts:
        data = entry.read()
        font = _font_from_bytes(data, entry.where)
        font_key = int(hashlib.sha256(data).hexdigest()[:15], 16)
        missing = _missing_glyph_masks(font)
        drawn = 0
        for ch in chars:
            clean = render_character(font, ch, missing)
            if clean is None:
                missing_count += 1
                continue
            for variant in range(options.variants):
                rng = np.random.default_rng((options.seed, font_key, ord(ch), variant))
                try:
                    glyphs.append(normalise_ink(augment(clean, rng)))
                except GlyphError:
                    continue
                labels.append(cs.class_of(ch))
                drawn += 1
        per_font["/".join(entry.parts)] = drawn
    if not glyphs:
        raise DatasetError(path, f"none of the fonts draws any character of the {cs.name} charset")
    report = {"fonts": len(fonts), "images": len(glyphs), "missing_glyphs": missing_count,
              "images_per_font": per_font, "variants": options.variants, "augmentation_seed": options.seed}
    return LabelledImages(np.stack(glyphs), np.array(labels, np.int32), cs), report


def load_fonts(root, *, options: FontOptions = FontOptions(), seed: int = DEFAULT_SPLIT_SEED,
               test_fraction: float = DEFAULT_TEST_FRACTION) -> dict[str, LabelledImages]:
    data, _ = render_fonts(root, options=options)
    return split(data, seed=seed, test_fraction=test_fraction)
