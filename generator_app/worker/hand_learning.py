"""Learning a hand in the worker: adapt each default generator to the user's glyphs of its characters.

Claimed with one conditional update (only a queued hand), so a second delivery does
nothing. Progress and the cancel flag go through the database at every report. The
new generator files are written to a fresh work folder and only become the hand's
in the final transaction; a failed, cancelled or deleted hand leaves no files behind.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generator_app.models import Hand, HandGlyph, HandStatus, SheetStatus
from generator_app.services.generation_charsets import writing_charsets
from generator_app.services.hands import end_learning, hand_folder
from generator_app.services.pretrained import file_sha256

logger = logging.getLogger(__name__)


class _Stop(Exception):
    pass


def _claim(hand_id) -> Hand | None:
    # updated_at marks the start: the stale-job sweep measures the hard time limit from it.
    claimed = Hand.objects.filter(pk=hand_id, status=HandStatus.QUEUED).update(status=HandStatus.LEARNING,
                                                                              progress=0.0, updated_at=timezone.now())
    return Hand.objects.get(pk=hand_id) if claimed else None


def _training_sets(hand: Hand) -> dict[str, tuple[object, list[str], np.ndarray]]:
    """{charset: (default GeneratorModel, chars, glyphs)} for every default generator the glyphs reach."""
    charsets = writing_charsets()
    rows = HandGlyph.objects.filter(hand=hand, dropped=False, sheet__status=SheetStatus.DONE)
    by_charset: dict[str, tuple[list[str], list[np.ndarray]]] = {}
    for glyph in rows:
        name = charsets.drawer_for(glyph.char)
        if name is None:
            continue  # punctuation: drawn as pen strokes, not by a generator
        chars, images = by_charset.setdefault(name, ([], []))
        chars.append(glyph.char)
        images.append(np.frombuffer(bytes(glyph.pixels), np.uint8).reshape(28, 28))
    return {name: (charsets.entries[name].generator, chars, np.stack(images))
            for name, (chars, images) in sorted(by_charset.items())}


def _end(hand_id, status: str, message: str = "") -> bool:
    return end_learning(hand_id=hand_id, was=HandStatus.LEARNING, status=status, message=message)


def fail_stalled_learning(*, hand_id, message: str) -> bool:
    """End a learning hand whose worker died, through the same path as a failure in the worker."""
    return _end(hand_id, HandStatus.FAILED, message)


def learn_hand(*, hand_id) -> str:
    """Adapt the generators for one hand (the ``train_hand`` task); returns its final status."""
    from ml.hands.adapt import AdaptCancelled, adapt_generator

    hand = _claim(hand_id)
    if hand is None:
        return Hand.objects.filter(pk=hand_id).values_list("status", flat=True).first() or "deleted"
    work = hand_folder(hand) / f"work-{uuid.uuid4().hex[:8]}"
    try:
        sets = _training_sets(hand)
        if not sets:
            raise ValueError("none of the kept glyphs is a letter or digit")
        total = len(sets)

        def report(done_before):
            def progress(step, steps):
                fraction = (done_before + step / steps) / total
                state = Hand.objects.filter(pk=hand_id).values_list("status", "cancel_requested").first()
                if state is None or state[0] != HandStatus.LEARNING or state[1]:
                    return False
                Hand.objects.filter(pk=hand_id).update(progress=min(fraction, 0.99))
                return True
            return progress

        generators, records = {}, {}
        for k, (name, (model, chars, images)) in enumerate(sets.items()):
            folder = work / name
            records[name] = adapt_generator(model.weights.path, images, chars, folder,
                                            config={**hand.adapt_config, "seed": k}, progress=report(k))
            generators[name] = {"chars": sorted(set(chars)), "base": model.name, "base_sha256": model.weights_sha256,
                                "path": str(folder / "model.keras")}
        final = {}
        for name, spec in generators.items():
            target = hand_folder(hand) / f"{name}-{uuid.uuid4().hex[:8]}.keras"
            shutil.move(spec.pop("path"), target)
            final[name] = {**spec, "file": str(target.relative_to(settings.MEDIA_ROOT)), "sha256": file_sha256(target)}
        with transaction.atomic():
            current = Hand.objects.select_for_update().filter(pk=hand_id).first()
            if current is None or current.status != HandStatus.LEARNING or current.cancel_requested:
                raise _Stop()
            old = [spec["file"] for spec in current.generators.values()]
            current.status, current.progress, current.error_message = HandStatus.READY, 1.0, ""
            current.generators, current.adaptation = final, records
            current.full_clean()
            current.save()
            transaction.on_commit(lambda: [Path(settings.MEDIA_ROOT, f).unlink(missing_ok=True) for f in old])
        return HandStatus.READY
    except (AdaptCancelled, _Stop):
        _end(hand_id, HandStatus.CANCELLED)
        _remove_new_files(hand_id, locals().get("final", {}))
    except SoftTimeLimitExceeded:
        _end(hand_id, HandStatus.FAILED, f"Learning took longer than {settings.HANDGEN_HAND_SOFT_TIME_LIMIT} s.")
        _remove_new_files(hand_id, locals().get("final", {}))
    except Exception as error:  # noqa: BLE001  (every failure must reach the user as a message)
        logger.exception("learning hand %s failed", hand_id)
        _end(hand_id, HandStatus.FAILED, f"Learning failed: {error}")
        _remove_new_files(hand_id, locals().get("final", {}))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Hand.objects.filter(pk=hand_id).values_list("status", flat=True).first() or "deleted"


def _remove_new_files(hand_id, final: dict) -> None:
    for spec in final.values():
        Path(settings.MEDIA_ROOT, spec["file"]).unlink(missing_ok=True)
