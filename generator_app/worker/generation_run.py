"""Drawing a queued request in the worker: claim it, draw the glyphs, lay them out, save the image.

Safe to run twice for one message: only a pending request is claimed. A request
found already running was being drawn by a worker that died (the broker handed
the message out again), so it ends failed with that reason instead of risking
a crash loop; the user resubmits with one click. Any error ends the request
failed with a message; nothing is left running.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from generator_app.models import GenerationRequest, GenerationStatus, GeneratorModel
from generator_app.services.generation import STOPPED_MESSAGE, fail_generation, generation_files
from generator_app.services.generation_charsets import generator_charset, writing_charsets
from generator_app.services.generation_files import IMAGE_NAME, SHEET_NAME, save_file, sheet_bytes
from ml.page import write_page
from ml.writer import drawers_for_text

from . import model_cache

logger = logging.getLogger(__name__)


def _check(generation: GenerationRequest) -> None:
    """Field and model rules before a status change, without the round trips full_clean adds.

    full_clean also re-checks the user row and evaluates each check constraint with its own
    query (nine queries); the database enforces those same constraints on save, and this
    runs twice per request on the path a user waits on.
    """
    generation.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)


class _Clock:
    """Milliseconds spent per phase, accumulated (draws and reads happen once per attempt)."""

    def __init__(self):
        self.ms: dict[str, float] = {}

    def add(self, phase: str, started: float) -> None:
        self.ms[phase] = self.ms.get(phase, 0.0) + (time.perf_counter() - started) * 1000.0


class _Timed:
    """Wraps a generator or reader so the redraw loop's calls are timed per phase."""

    def __init__(self, inner, clock: _Clock, phase: str):
        self._inner, self._clock, self._phase = inner, clock, phase
        self.charset = inner.charset
        self.latent_dim = getattr(inner, "latent_dim", None)

    def draw(self, labels, z):
        started = time.perf_counter()
        try:
            return self._inner.draw(labels, z)
        finally:
            self._clock.add(self._phase, started)

    def probs(self, images):
        started = time.perf_counter()
        try:
            return self._inner.probs(images)
        finally:
            self._clock.add(self._phase, started)


def _claim(generation_id) -> GenerationRequest | None:
    """Move a pending request to running; None when there is nothing (more) to do.

    A read, then an update conditional on the status read, instead of a locking
    transaction: two round trips to the database instead of four, each one a chance to
    lose the CPU to a training on a shared machine. Two workers given the same message
    both read ``pending``; only one update matches, and the other worker stops.
    """
    generation = GenerationRequest.objects.filter(pk=generation_id).first()
    if generation is None or generation.status in (GenerationStatus.SUCCEEDED, GenerationStatus.FAILED):
        return None
    now = timezone.now()
    if generation.status == GenerationStatus.RUNNING:
        generation.status = GenerationStatus.FAILED
        generation.error_message = STOPPED_MESSAGE
        generation.finished_at = now
        _check(generation)
        GenerationRequest.objects.filter(pk=generation_id, status=GenerationStatus.RUNNING).update(
            status=generation.status, error_message=generation.error_message, finished_at=now
        )
        return None
    generation.status = GenerationStatus.RUNNING
    generation.started_at = now
    _check(generation)
    claimed = GenerationRequest.objects.filter(pk=generation_id, status=GenerationStatus.PENDING).update(
        status=generation.status, started_at=now
    )
    return generation if claimed else None


def _generators_for(text: str) -> dict[str, GeneratorModel]:
    """The default generators this text needs, by charset (the same choice the web side validated with)."""
    charsets = writing_charsets()
    try:
        chosen = drawers_for_text(text, charsets.entries)
    except ValueError as error:
        raise ValueError(f"{error} any more; an administrator changed the default generators") from None
    return {name: charsets.entries[name].generator for name in set(chosen.values())}


def _load(generation: GenerationRequest, clock: _Clock):
    """(drawers, readers, model versions) for the request: the defaults it needs, or the user's hand."""
    started = time.perf_counter()
    models = _generators_for(generation.text)
    # Checked before anything is loaded: a hand whose base is gone fails at once, with the reason.
    bases = _hand_bases(generation, models) if generation.hand_id is not None else {}
    drawers, readers, versions = {}, {}, {}
    for name, model in sorted(models.items()):
        drawers[name] = _Timed(model_cache.generator_for(model), clock, "draw_ms")
        reader = model_cache.reader_for(generator_charset(model).name)
        readers[name] = _Timed(reader, clock, "read_ms") if reader is not None else None
        versions[name] = {
            "generator": model.name,
            "sha256": model.weights_sha256,
            "evaluator": reader.name if reader is not None else None,
        }
    if generation.hand_id is not None:
        _use_hand(generation, bases, drawers, versions, clock)
    clock.add("load_ms", started)
    return drawers, readers, versions


def _hand_bases(generation: GenerationRequest, models: dict[str, GeneratorModel]) -> dict[str, GeneratorModel]:
    """The generator each of the hand's adapted copies was learned from, by charset.

    The characters the hand did not learn are drawn by that same base, not by today's
    default: after an administrator publishes a new default, the old base keeps the page in
    one style (and a different latent size cannot break the drawing). A base no longer
    registered cannot be drawn with at all, so the request fails saying what to do.
    """
    hand = generation.hand
    if hand is None or hand.status != "ready":
        raise ValueError("the chosen hand was deleted or is being re-learned; choose it again or the default")
    bases = {}
    for name, spec in hand.generators.items():
        if name not in models:
            continue
        current, sha256 = models[name], spec.get("base_sha256") or ""
        if not sha256 or sha256 == current.weights_sha256:
            bases[name] = current
            continue
        base = GeneratorModel.objects.filter(weights_sha256=sha256).order_by("-created_at").first()
        if base is None:
            raise ValueError(
                f"this hand was learned from generator {spec.get('base') or sha256[:12]}, which is no longer "
                "available: learn it again"
            )
        bases[name] = base
    return bases


def _use_hand(generation: GenerationRequest, bases: dict, drawers: dict, versions: dict, clock: _Clock) -> None:
    """Draw the characters the user's hand learned with its adapted generators (the rest: their base)."""
    from ml.hands.drawer import HandDrawer

    hand = generation.hand
    for name, spec in hand.generators.items():
        if name not in drawers:
            continue
        base = bases[name]
        fallback = drawers[name]
        if base.weights_sha256 != versions[name]["sha256"]:
            fallback = _Timed(model_cache.generator_for(base), clock, "draw_ms")
            versions[name].update(generator=base.name, sha256=base.weights_sha256)
        adapted = model_cache.generator_file(spec["file"], spec["sha256"])
        ids = {fallback.charset.class_of(ch) for ch in spec["chars"]} - {None}
        drawers[name] = _Timed(HandDrawer(fallback, adapted, ids), clock, "draw_ms")
        versions[name]["hand"] = {"id": str(hand.pk), "sha256": spec["sha256"], "chars": "".join(spec["chars"])}


def _slot_records(sheet) -> list[dict]:
    out = []
    for s in sheet.slots:
        out.append({
            "generator": s.drawer, "class_id": s.class_id, "variant": s.variant, "attempts": s.attempts,
            "blank": s.blank, "specks": s.specks, "read_as": s.read_as, "accepted": s.accepted,
            "confidence": None if np.isnan(s.confidence) else round(s.confidence, 4),
            "p_expected": None if np.isnan(s.p_expected) else round(s.p_expected, 4),
        })  # fmt: skip
    return out


def _finish(generation: GenerationRequest, image_name: str, timings: dict, versions: dict) -> bool:
    """Record success; False when the request was deleted (or ended) while it was being drawn.

    One update conditional on the request still running: a deleted or failed one matches
    no row, and the caller removes the files.
    """
    generation.status = GenerationStatus.SUCCEEDED
    generation.image.name = image_name
    generation.finished_at = timezone.now()
    timings["total_ms"] = round((generation.finished_at - generation.created_at).total_seconds() * 1000.0, 1)
    generation.timings = timings
    generation.model_versions = versions
    _check(generation)
    updated = GenerationRequest.objects.filter(pk=generation.pk, status=GenerationStatus.RUNNING).update(
        status=generation.status, image=image_name, finished_at=generation.finished_at, timings=timings,
        model_versions=versions,
    )  # fmt: skip
    return bool(updated)


def _draw_and_save(generation: GenerationRequest) -> bool:
    """True when the request ended succeeded (False: it was deleted or ended meanwhile)."""
    clock = _Clock()
    began, began_cpu = time.perf_counter(), time.process_time()
    drawers, readers, versions = _load(generation, clock)
    page = write_page(generation.text, drawers, seed=generation.style_seed, options=generation.options,
                      readers=readers, max_redraws=settings.HANDGEN_GLYPH_REDRAWS)
    clock.ms["layout_ms"] = page.timings["layout_ms"]
    sheet = page.sheet
    started = time.perf_counter()
    png = page.png()
    clock.add("render_ms", started)

    started = time.perf_counter()
    stack = np.stack([s.glyph for s in sheet.slots]) if sheet.slots else np.zeros((0, 28, 28), np.uint8)
    save_file(generation, SHEET_NAME, sheet_bytes(stack, sheet.slot_of, _slot_records(sheet)))
    image_name = save_file(generation, IMAGE_NAME, png)
    clock.add("save_ms", started)

    timings = {key: round(value, 1) for key, value in clock.ms.items()}
    timings["queue_ms"] = round((generation.started_at - generation.created_at).total_seconds() * 1000.0, 1)
    timings["work_ms"] = round((time.perf_counter() - began) * 1000.0, 1)
    # CPU time of this process (all its threads): on a CPU shared with training, wall time
    # mostly measures waiting for a core; this is what the work itself costs.
    timings["work_cpu_ms"] = round((time.process_time() - began_cpu) * 1000.0, 1)
    timings["glyphs_drawn"] = len(sheet.slots)
    timings["draw_calls"] = sum(sheet.calls.values())
    if _finish(generation, image_name, timings, versions):
        return True
    for name in generation_files(generation):  # deleted meanwhile: leave no orphan files
        default_storage.delete(name)
    return False


def run_generation(*, generation_id) -> str:
    """Draw one request (the ``generate_text`` task); returns its final status."""
    generation = _claim(generation_id)
    if generation is None:
        current = GenerationRequest.objects.filter(pk=generation_id).values_list("status", flat=True).first()
        return current or "deleted"
    try:
        if _draw_and_save(generation):
            return GenerationStatus.SUCCEEDED
    except SoftTimeLimitExceeded:
        limit = settings.HANDGEN_GENERATION_SOFT_TIME_LIMIT
        fail_generation(generation_id=generation_id, message=f"Drawing took longer than {limit} seconds and was stopped.")
    except Exception as error:  # noqa: BLE001  (every failure must reach the user as a message)
        logger.exception("generation %s failed", generation_id)
        fail_generation(generation_id=generation_id, message=f"Drawing failed: {error}")
    return GenerationRequest.objects.filter(pk=generation_id).values_list("status", flat=True).first() or "deleted"


def warm_up_generators() -> list[str]:
    """Load every default generator and its evaluator into this worker process; return their names."""
    names = []
    for entry in writing_charsets().entries.values():
        model_cache.generator_for(entry.generator)
        model_cache.reader_for(entry.charset.name)
        names.append(entry.generator.name)
    return names
