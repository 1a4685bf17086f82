"""A preview montage of a dataset: one row of samples per class, with the class's character.

Shown in the admin so a person can see at a glance that images are upright, the
right way round (white on black) and under the right label.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ml.data.arrays import LabelledImages

CELL = 28
LABEL_WIDTH = 22
GAP = 6
ROWS_PER_BLOCK = 26  # more classes than this wrap into another block of columns


def montage(data: LabelledImages, *, per_class: int = 8, seed: int = 0) -> Image.Image:
    """A grey image: rows = classes (in class-id order), ``per_class`` seeded random samples each."""
    n_classes = data.charset.n_classes
    blocks = max(1, -(-n_classes // ROWS_PER_BLOCK))
    rows = min(n_classes, ROWS_PER_BLOCK)
    block_width = LABEL_WIDTH + per_class * CELL
    sheet = Image.new("L", (blocks * block_width + (blocks - 1) * GAP, rows * CELL), 40)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(18)
    rng = np.random.default_rng(seed)
    for class_id in range(n_classes):
        block, row = divmod(class_id, ROWS_PER_BLOCK)
        x0, y0 = block * (block_width + GAP), row * CELL
        draw.text((x0 + LABEL_WIDTH / 2, y0 + CELL / 2), data.charset.char_of(class_id), fill=255, font=font,
                  anchor="mm")
        members = np.flatnonzero(data.labels == class_id)
        picks = np.sort(rng.choice(members, size=min(per_class, len(members)), replace=False)) if len(members) else []
        for col, index in enumerate(picks):
            sheet.paste(Image.fromarray(data.images[index]), (x0 + LABEL_WIDTH + col * CELL, y0))
    return sheet


def montage_png(data: LabelledImages, *, per_class: int = 8, seed: int = 0) -> bytes:
    buffer = io.BytesIO()
    montage(data, per_class=per_class, seed=seed).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
