"""Reading an uploaded sheet in the worker: find the boxes, keep each written glyph with its reading.

Runs twice harmlessly: only a pending sheet is claimed. A sheet that cannot be
read ends failed with the extractor's reason and its photo is deleted; no glyph
of it is kept. A sheet read successfully replaces the glyphs of the hand's
earlier sheets (a re-upload is a fresh start, not a mix of two photos).
"""

from __future__ import annotations

import logging

import numpy as np
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from generator_app.models import HandGlyph, HandSheet, SheetStatus

from . import model_cache

logger = logging.getLogger(__name__)


def _claim(sheet_id) -> HandSheet | None:
    claimed = HandSheet.objects.filter(pk=sheet_id, status=SheetStatus.PENDING).update(status=SheetStatus.PROCESSING)
    return HandSheet.objects.select_related("hand").get(pk=sheet_id) if claimed else None


def _readings(chars: list[str], images: np.ndarray) -> list[tuple[str, float | None]]:
    """The evaluator's top reading per glyph (digits by the digits one, letters case merged)."""
    out: list[tuple[str, float | None]] = [("", None)] * len(chars)
    for charset in ("digits", "letters"):
        rows = [i for i, c in enumerate(chars) if (c.isdigit() if charset == "digits" else c.isalpha())]
        reader = model_cache.reader_for(charset) if rows else None
        if reader is None:
            continue
        probs = reader.probs(images[rows])
        for i, p in zip(rows, probs, strict=True):
            top = int(np.argmax(p))
            out[i] = (reader.charset.char_of(top), float(p[top]))
    return out


def _fail(sheet: HandSheet, message: str) -> bool:
    """Fail a sheet not yet read; one that was read (or failed) meanwhile keeps its state and photo."""
    name = sheet.image.name
    with transaction.atomic():
        failed = HandSheet.objects.filter(
            pk=sheet.pk, status__in=(SheetStatus.PENDING, SheetStatus.PROCESSING),
        ).update(status=SheetStatus.FAILED, error_message=message, image="", finished_at=timezone.now())
    if failed and name:
        default_storage.delete(name)
    return bool(failed)


def fail_stalled_sheet(*, sheet: HandSheet, message: str) -> bool:
    """End a sheet whose worker died or whose message was lost, as a reading failure would."""
    return _fail(sheet, message)


def read_sheet(*, sheet_id) -> str:
    """Extract one uploaded sheet (the ``extract_hand_sheet`` task); returns its final status."""
    from ml.hands.extract import SheetError, extract_sheet

    sheet = _claim(sheet_id)
    if sheet is None:
        return HandSheet.objects.filter(pk=sheet_id).values_list("status", flat=True).first() or "deleted"
    try:
        with sheet.image.open("rb") as handle:
            result = extract_sheet(handle.read())
        filled = result.filled
        if not filled:
            raise SheetError("No handwriting found in any box: write one character per box in dark pen.")
        images = np.stack([g.glyph for g in filled])
        readings = _readings([g.box.char for g in filled], images)
        rows = [HandGlyph(hand=sheet.hand, sheet=sheet, char=g.box.char, sample=g.box.sample,
                          pixels=g.glyph.tobytes(), read_as=r, confidence=c)
                for g, (r, c) in zip(filled, readings, strict=True)]
        for row in rows:
            row.full_clean(exclude=["hand", "sheet"], validate_unique=False)
        with transaction.atomic():
            if not HandSheet.objects.filter(pk=sheet.pk, status=SheetStatus.PROCESSING).exists():
                return "deleted"
            older = list(HandSheet.objects.filter(hand=sheet.hand).exclude(pk=sheet.pk))
            HandSheet.objects.filter(pk__in=[s.pk for s in older]).delete()
            HandGlyph.objects.bulk_create(rows)
            quality = {k: round(float(v), 3) for k, v in result.quality.items()}
            quality["filled_boxes"] = len(rows)
            HandSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.DONE, quality=quality,
                                                         finished_at=timezone.now())
            names = [s.image.name for s in older if s.image.name]
            transaction.on_commit(lambda: [default_storage.delete(n) for n in names])
        return SheetStatus.DONE
    except SheetError as error:
        _fail(sheet, str(error))
    except Exception as error:  # noqa: BLE001  (every failure must reach the user as a message)
        logger.exception("reading hand sheet %s failed", sheet_id)
        _fail(sheet, f"The sheet could not be read ({error}).")
    return SheetStatus.FAILED
