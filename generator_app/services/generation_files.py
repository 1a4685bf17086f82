"""The files of a generation request: PNG image, glyph sheet, and SVG/PDF made on demand.

All live under ``generations/<request uuid hex>/`` in the media storage, which
is never served directly (views check the owner first). The worker writes the
PNG, what a user waits for, and the glyph sheet: the drawn 28×28 glyphs with
each one's evaluator reading. The vector and print forms are laid out again
from the sheet when first downloaded and kept beside the image; the layout is
a pure function of (text, glyphs, options), so they match the PNG exactly.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from generator_app.models import GenerationRequest
from generator_app.models.generation_request import generation_image_path
from ml.page import page_options
from ml.render import Layout, RenderOptions, layout_text, render_image, render_svg

IMAGE_NAME = "image.png"
SHEET_NAME = "glyphs.npz"
SVG_NAME = "image.svg"
PDF_NAME = "image.pdf"
THUMB_NAME = "thumb.png"
# A thumbnail is the written part of the page (its ink and a margin), at most this wide.
THUMB_MAX_WIDTH = 560
THUMB_MARGIN = 8
# The PDF page puts the image across this printable width.
PDF_PRINT_WIDTH_INCHES = 7.5


@dataclass(frozen=True)
class StoredSheet:
    """A request's glyphs: one per character (None for spaces, breaks, punctuation) and each drawing's record."""

    glyphs: list[np.ndarray | None]
    slot_of: list[int | None]
    slots: list[dict]


def render_options(generation: GenerationRequest) -> RenderOptions:
    """The request's render options, as the worker drew it (``ml.page.page_options``: the jitter follows the hand)."""
    return page_options(generation.options, generation.style_seed)


def page_layout(generation: GenerationRequest, glyphs) -> Layout:
    return layout_text(generation.text, glyphs, render_options(generation))


def file_name(generation: GenerationRequest, name: str) -> str:
    return generation_image_path(generation, name)


def sheet_bytes(glyphs: np.ndarray, slot_of: list[int | None], slots: list[dict]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        glyphs=glyphs.astype(np.uint8).reshape(-1, 28, 28),
        slot_of=np.array([-1 if k is None else k for k in slot_of], dtype=np.int32),
        slots=np.array(json.dumps(slots)),
    )
    return buffer.getvalue()


def save_file(generation: GenerationRequest, name: str, data: bytes) -> str:
    """Write ``data`` as ``name`` in the request's folder, replacing an earlier copy (a retried task)."""
    target = file_name(generation, name)
    if default_storage.exists(target):
        default_storage.delete(target)
    return default_storage.save(target, ContentFile(data))


def load_sheet(generation: GenerationRequest) -> StoredSheet | None:
    """The stored glyph sheet, or None when the request has none (not finished, or files removed)."""
    try:
        with default_storage.open(file_name(generation, SHEET_NAME), "rb") as handle, np.load(handle) as data:
            glyphs, slot_of, slots = data["glyphs"], data["slot_of"].tolist(), json.loads(str(data["slots"]))
    except FileNotFoundError:
        return None
    per_char = [None if k < 0 else glyphs[k] for k in slot_of]
    return StoredSheet(per_char, [None if k < 0 else k for k in slot_of], slots)


def _cached(generation: GenerationRequest, name: str, make) -> bytes | None:
    target = file_name(generation, name)
    if default_storage.exists(target):
        with default_storage.open(target, "rb") as handle:
            return handle.read()
    data = make()
    if data is not None:
        save_file(generation, name, data)
    return data


def thumbnail_bytes(generation: GenerationRequest) -> bytes | None:
    """The page cropped to its writing, for lists: a short text on a wide page stays legible.

    The whole text is always inside (the crop is the ink's bounding box plus a margin);
    None when the image file is missing.
    """

    def make():
        from PIL import Image, ImageChops

        try:
            with generation.image.open("rb") as handle:
                page = Image.open(handle)
                page.load()
        except (FileNotFoundError, ValueError):
            return None
        rgba = page.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        ink = ImageChops.difference(Image.alpha_composite(paper, rgba).convert("RGB"), paper.convert("RGB"))
        box = ink.getbbox() or (0, 0, *rgba.size)
        left, top = max(0, box[0] - THUMB_MARGIN), max(0, box[1] - THUMB_MARGIN)
        right, bottom = min(rgba.width, box[2] + THUMB_MARGIN), min(rgba.height, box[3] + THUMB_MARGIN)
        thumb = page.crop((left, top, right, bottom))
        if thumb.width > THUMB_MAX_WIDTH:
            thumb = thumb.resize((THUMB_MAX_WIDTH, max(1, round(thumb.height * THUMB_MAX_WIDTH / thumb.width))),
                                 Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        thumb.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()

    return _cached(generation, THUMB_NAME, make)


def svg_bytes(generation: GenerationRequest) -> bytes | None:
    """The page as SVG (vector outlines), or None when the glyph sheet is missing."""

    def make():
        sheet = load_sheet(generation)
        if sheet is None:
            return None
        return render_svg(page_layout(generation, sheet.glyphs)).encode()

    return _cached(generation, SVG_NAME, make)


def pdf_bytes(generation: GenerationRequest) -> bytes | None:
    """A one-page PDF of the image on white, scaled to a printable width."""

    def make():
        sheet = load_sheet(generation)
        if sheet is None:
            return None
        options = render_options(generation)
        image = render_image(page_layout(generation, sheet.glyphs), options)
        if image.mode == "RGBA":  # paper is white
            from PIL import Image

            paper = Image.new("RGB", image.size, "white")
            paper.paste(image, mask=image.getchannel("A"))
            image = paper
        buffer = io.BytesIO()
        dpi = max(image.width / PDF_PRINT_WIDTH_INCHES, 72.0)
        image.save(buffer, format="PDF", resolution=dpi, title="HandGen", creationDate=None)
        return buffer.getvalue()

    return _cached(generation, PDF_NAME, make)
