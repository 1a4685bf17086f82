"""Writes on a user's hands from the web side: create, upload a sheet, drop a glyph, learn, cancel, rename, delete.

Heavy work (reading a photo, learning) is queued, after the commit, as tasks that run
``generator_app.worker.hand_extraction`` and ``hand_learning``; this module never loads OpenCV or Keras.
"""

from __future__ import annotations

import logging
import shutil
import uuid
import warnings
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import Image

from generator_app import task_queue
from generator_app.models import MAX_SHEET_BYTES, Hand, HandGlyph, HandSheet, HandStatus, SheetStatus

logger = logging.getLogger(__name__)

SHEET_TYPES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
HEIC_BRANDS = (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc")
# The worker's limit (ml.hands.extract.MAX_PIXELS), read here from the header alone: a small
# file can declare a huge image, which decoding would allocate in full.
MAX_SHEET_PIXELS = 60_000_000


def hand_folder(hand: Hand) -> Path:
    return Path(settings.MEDIA_ROOT) / "hands" / hand.pk.hex


def create_hand(*, owner, name: str) -> Hand:
    hand = Hand(owner=owner, name=(name or "").strip())
    if Hand.objects.filter(owner=owner, name=hand.name).exists():
        raise ValidationError({"name": "You already have a hand with this name."})
    hand.full_clean()
    with transaction.atomic():
        hand.save()
    return hand


def rename_hand(*, hand: Hand, name: str) -> Hand:
    name = (name or "").strip()
    if Hand.objects.filter(owner=hand.owner, name=name).exclude(pk=hand.pk).exists():
        raise ValidationError({"name": "You already have a hand with this name."})
    hand.name = name
    hand.full_clean()
    with transaction.atomic():
        hand.save(update_fields=["name", "updated_at"])
    return hand


def delete_hand(*, hand: Hand) -> None:
    """Delete the hand, its sheets, glyphs and files (a worker still learning finds the row gone)."""
    folder = hand_folder(hand)
    with transaction.atomic():
        hand.delete()
        transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


def check_sheet_file(upload) -> None:
    """Refuse what cannot be a sheet photo before it is stored (size, first bytes, declared pixels)."""
    if upload is None:
        raise ValidationError({"image": "Choose a photo or scan of the filled-in sheet."})
    if upload.size > MAX_SHEET_BYTES:
        raise ValidationError({"image": f"The file is {upload.size / 1024 / 1024:.1f} MB; at most 20 MB."})
    head = upload.read(16)
    upload.seek(0)
    if head[4:12] in HEIC_BRANDS:
        raise ValidationError({"image": "HEIC photos cannot be read here yet: export the photo as JPEG or PNG "
                                        "(on an iPhone: Settings → Camera → Formats → Most Compatible)."})
    if not any(head.startswith(magic) for magic in SHEET_TYPES):
        raise ValidationError({"image": "The file is not a JPEG or PNG image."})
    _check_declared_size(upload)


def _check_declared_size(upload) -> None:
    """Refuse an image whose header declares too many pixels (Pillow decodes nothing until
    asked). A header Pillow cannot read passes: the worker then says why it cannot read it."""
    too_large = "The image is {}; at most {} million pixels (a 12-megapixel photo is plenty)."
    limit = MAX_SHEET_PIXELS // 1_000_000
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
    except Image.DecompressionBombError:  # Pillow's own ceiling, far above ours
        raise ValidationError({"image": too_large.format("far too large", limit)}) from None
    except Exception:  # noqa: BLE001
        return
    finally:
        upload.seek(0)
    if width * height > MAX_SHEET_PIXELS:
        raise ValidationError({"image": too_large.format(f"{width}x{height} pixels", limit)})


def upload_sheet(*, hand: Hand, upload) -> HandSheet:
    """Store the photo and queue its reading; nothing is stored when the file is refused."""
    if hand.busy:
        raise ValidationError({"image": "Wait until the hand has finished learning, or cancel it."})
    check_sheet_file(upload)
    sheet = HandSheet(id=uuid.uuid4(), hand=hand)
    with transaction.atomic():
        sheet.image.save(Path(upload.name or "sheet").name, upload, save=False)
        sheet.full_clean()
        sheet.save()
        transaction.on_commit(lambda: _send(task_queue.EXTRACT_HAND_SHEET, sheet.pk, on_error=_fail_sheet_unqueued))
    return sheet


def _send(task_name: str, pk, *, on_error) -> None:
    try:
        task_queue.send_task(task_name, str(pk))
    except Exception as error:  # noqa: BLE001  (a broker error must reach the user)
        logger.exception("could not queue %s %s", task_name, pk)
        on_error(pk, f"The job could not be queued ({error}).")


def _fail_sheet_unqueued(pk, message):
    HandSheet.objects.filter(pk=pk, status=SheetStatus.PENDING).update(status=SheetStatus.FAILED, error_message=message)


def _fail_hand_unqueued(pk, message):
    end_learning(hand_id=pk, was=HandStatus.QUEUED, status=HandStatus.FAILED, message=message)


def end_learning(*, hand_id, was: str, status: str, message: str = "") -> bool:
    """Record a cancelled or failed learning run on a hand still ``was`` (queued or learning);
    False when the hand had already moved on (finished, cancelled, deleted).

    A hand that had learned before keeps its earlier generators (only a successful run
    replaces them), so it goes back to ready and stays usable, the message kept for the page.
    """
    with transaction.atomic():
        hand = Hand.objects.select_for_update().filter(pk=hand_id, status=was).first()
        if hand is None:
            return False
        if hand.generators:
            hand.status, hand.progress = HandStatus.READY, 1.0
            ending = message or "Learning was cancelled."
            hand.error_message = f"{ending} The hand still writes as it learned before."
        else:
            hand.status, hand.error_message = status, message
        hand.cancel_requested = False
        hand.full_clean()
        hand.save(update_fields=["status", "progress", "error_message", "cancel_requested", "updated_at"])
    return True


def set_glyph_dropped(*, glyph: HandGlyph, dropped: bool) -> HandGlyph:
    glyph.dropped = bool(dropped)
    glyph.full_clean()
    with transaction.atomic():
        glyph.save(update_fields=["dropped"])
    return glyph


def start_learning(*, hand: Hand, config: dict | None = None) -> Hand:
    """Queue the adaptation; ``config`` overrides the adaptation's defaults (tests use a tiny one)."""
    if hand.busy:
        raise ValidationError({"hand": "This hand is already learning."})
    if not hand.glyphs.filter(dropped=False, sheet__status=SheetStatus.DONE).exists():
        raise ValidationError({"hand": "Upload a filled-in sheet first: there are no glyphs to learn from."})
    with transaction.atomic():
        # One adaptation per user at a time, since each holds a worker for minutes; the owner's
        # row is locked so that two posts at once cannot both pass the check.
        get_user_model().objects.select_for_update().filter(pk=hand.owner_id).first()
        busy = Hand.objects.filter(owner_id=hand.owner_id, status__in=[HandStatus.QUEUED, HandStatus.LEARNING])
        if busy.exclude(pk=hand.pk).exists():
            raise ValidationError({"hand": "Another of your hands is already learning: wait until it has "
                                           "finished, or cancel it."})
        hand.status = HandStatus.QUEUED
        hand.progress = 0.0
        hand.error_message = ""
        hand.cancel_requested = False
        hand.adapt_config = {"steps": settings.HANDGEN_HAND_ADAPT_STEPS, **(config or {})}
        hand.full_clean()
        hand.save()
        transaction.on_commit(lambda: _send(task_queue.TRAIN_HAND, hand.pk, on_error=_fail_hand_unqueued))
    return hand


def cancel_learning(*, hand: Hand) -> Hand:
    """A queued hand stops at once; a learning one at its next progress report."""
    with transaction.atomic():
        end_learning(hand_id=hand.pk, was=HandStatus.QUEUED, status=HandStatus.CANCELLED)
        Hand.objects.filter(pk=hand.pk, status=HandStatus.LEARNING).update(cancel_requested=True)
    hand.refresh_from_db()
    return hand
