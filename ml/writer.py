"""Draw every glyph of a text in one hand: latents from the style seed, batched draws, redraws.

No Keras import here: the caller passes loaded generators (anything with
``charset``, ``latent_dim`` and ``draw(labels, z)``) and, optionally, readers
(anything with ``charset`` and ``probs(images)``), so the algorithm is tested
with plain numpy stand-ins and the web worker decides what is loaded when.

Why it is shaped this way:

- *One hand per request.* A conditional GAN keeps the label apart from the
  noise, so the noise vector carries the style (slant, stroke weight, size).
  Every glyph of a request starts from one base vector derived from the style
  seed and mixes in a little per-glyph noise, so the page looks written by one
  person while two e's are not pixel copies.
- *Every occurrence its own drawing.* The n-th 'e' of the text is drawn from
  noise keyed by (class, n), so a long page does not repeat a few stamps of
  each letter; it still costs one generator row per character, all in one call.
- *One batched call per generator per attempt.* All slots of a generator are
  drawn in one call, read by its evaluator in one call, and only the failures
  are drawn again, with fresh noise derived from the seed and the attempt
  number, so the result is still a pure function of (text, seed, models).
- *Redraw what cannot be read.* A blank glyph, one with a speck beside the
  character (``ml.render.speck_counts``), or one the evaluator reads as another
  class, is redrawn up to ``max_redraws`` times; when every attempt
  fails the best one is kept (ink first, then the evaluator's probability of
  the wanted class), so the text is always complete.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ml.data.charset import Charset
from ml.render import glyphs_are_blank, is_drawn_procedurally, speck_counts

DEFAULT_MAX_REDRAWS = 3
# Share of per-glyph noise mixed into the style vector: attempt 0 stays close
# to the hand; each redraw moves further away from a region that drew badly.
BASE_SPREAD = 0.3
SPREAD_STEP = 0.2
MAX_SPREAD = 0.9


class GlyphDrawer(Protocol):
    charset: Charset
    latent_dim: int

    def draw(self, labels, z=None) -> np.ndarray: ...


class GlyphReader(Protocol):
    charset: Charset

    def probs(self, images) -> np.ndarray: ...


@dataclass
class Slot:
    """One drawing: a class of one generator, for its ``variant``-th occurrence in the text."""

    drawer: str
    class_id: int
    variant: int
    glyph: np.ndarray | None = None
    attempts: int = 0
    blank: bool = True
    specks: int = 0  # ink components beside the character
    expected: int | None = None  # the reader's class for this glyph, None when unread
    read_as: str = ""  # the reader's top character ("" when unread)
    confidence: float = math.nan  # the reader's probability of read_as
    p_expected: float = math.nan  # the reader's probability of the wanted class
    read_as_id: int | None = None

    @property
    def accepted(self) -> bool:
        """Kept without another try: it has ink and, when read, reads as the wanted class."""
        if self.blank or self.specks:
            return False
        return self.expected is None or self.read_as_id == self.expected


@dataclass
class GlyphSheet:
    """The drawn glyphs of a text: ``glyphs[i]`` for ``text[i]`` (None: space, break or punctuation)."""

    text: str
    glyphs: list[np.ndarray | None]
    slot_of: list[int | None]  # index into ``slots`` per character
    slots: list[Slot]
    calls: dict[str, int] = field(default_factory=dict)  # draw calls per generator

    def records(self) -> list[dict]:
        """One plain dict per character for storage and the debug view."""
        out = []
        for i, ch in enumerate(self.text):
            k = self.slot_of[i]
            if k is None:
                out.append({"index": i, "char": ch, "drawn": False})
                continue
            s = self.slots[k]
            out.append({
                "index": i, "char": ch, "drawn": True, "generator": s.drawer, "class_id": s.class_id,
                "variant": s.variant, "attempts": s.attempts, "blank": s.blank, "specks": s.specks,
                "read_as": s.read_as,
                "confidence": None if math.isnan(s.confidence) else s.confidence,
                "p_expected": None if math.isnan(s.p_expected) else s.p_expected,
                "accepted": s.accepted,
            })  # fmt: skip
        return out


def choose_drawer(ch: str, drawers: dict[str, GlyphDrawer]) -> str | None:
    """The generator that draws ``ch``: a case-aware charset before a case-merged one, then by name."""
    covering = [name for name, d in drawers.items() if d.charset.covers(ch)]
    if not covering:
        return None
    return min(covering, key=lambda name: (not drawers[name].charset.case_aware, name))


def drawers_for_text(text: str, drawers) -> dict[str, str]:
    """{character: name of the drawer that draws it} for the drawn characters of ``text``.

    ``drawers`` maps names to anything with a ``charset`` (loaded generators, or the web
    side's registry entries), so the web check, the worker and the writer make one choice.
    Raises ValueError naming the first character no drawer draws.
    """
    chosen: dict[str, str] = {}
    for pos, ch in enumerate(text):
        if ch in chosen or ch.isspace() or is_drawn_procedurally(ch):
            continue
        name = choose_drawer(ch, drawers)
        if name is None:
            raise ValueError(f"position {pos + 1}: no generator draws {ch!r}")
        chosen[ch] = name
    return chosen


def _tag(name: str) -> int:
    return zlib.crc32(name.encode())


def style_vector(seed: int, drawer: str, latent_dim: int) -> np.ndarray:
    """The base noise of one hand for one generator."""
    return np.random.default_rng([seed, _tag(drawer)]).standard_normal(latent_dim)


def slot_latent(seed: int, drawer: str, base: np.ndarray, class_id: int, variant: int, attempt: int) -> np.ndarray:
    """Base vector plus this drawing's own noise, keeping unit variance per coordinate."""
    spread = min(BASE_SPREAD + SPREAD_STEP * attempt, MAX_SPREAD)
    own = np.random.default_rng([seed, _tag(drawer), class_id, variant, attempt]).standard_normal(len(base))
    return (math.sqrt(1.0 - spread * spread) * base + spread * own).astype(np.float32)


def _plan(text: str, drawers: dict[str, GlyphDrawer]) -> tuple[list[int | None], list[Slot]]:
    slots: list[Slot] = []
    seen: dict[tuple[str, int], int] = {}
    slot_of: list[int | None] = []
    chosen = drawers_for_text(text, drawers)
    for ch in text:
        if ch not in chosen:
            slot_of.append(None)
            continue
        name = chosen[ch]
        class_id = drawers[name].charset.class_of(ch)
        n = seen.get((name, class_id), 0)
        seen[(name, class_id)] = n + 1
        slot_of.append(len(slots))
        slots.append(Slot(drawer=name, class_id=class_id, variant=n))
    return slot_of, slots


def _read(slots: list[Slot], images: np.ndarray, reader: GlyphReader | None, source: Charset) -> None:
    """Fill each slot's reading (blank and speck checks always; the evaluator when there is one)."""
    chars = [source.char_of(s.class_id) for s in slots]
    for s, blank, specks in zip(slots, glyphs_are_blank(images), speck_counts(images, chars), strict=True):
        s.blank, s.specks = bool(blank), int(specks)
    if reader is None:
        return
    for s in slots:
        s.expected = reader.charset.class_of(source.char_of(s.class_id))
    inked = [k for k, s in enumerate(slots) if not s.blank]
    if not inked:
        return
    probs = np.asarray(reader.probs(images[inked]), dtype=np.float64)
    for k, p in zip(inked, probs, strict=True):
        s = slots[k]
        top = int(np.argmax(p))
        s.read_as_id, s.read_as, s.confidence = top, reader.charset.char_of(top), float(p[top])
        s.p_expected = float(p[s.expected]) if s.expected is not None else math.nan


def _keep_better(old: Slot | None, new: Slot) -> Slot:
    def rank(s: Slot):
        read = s.expected is None or s.read_as_id == s.expected
        return (s.accepted, not s.blank, read, -s.specks, -1.0 if math.isnan(s.p_expected) else s.p_expected)

    return new if old is None or rank(new) > rank(old) else old


def write_glyphs(
    text: str,
    drawers: dict[str, GlyphDrawer],
    *,
    seed: int,
    readers: dict[str, GlyphReader | None] | None = None,
    max_redraws: int = DEFAULT_MAX_REDRAWS,
) -> GlyphSheet:
    """Draw the glyphs of ``text`` with ``drawers`` (by name) in the hand fixed by ``seed``."""
    if max_redraws < 0:
        raise ValueError("max_redraws must be >= 0")
    readers = readers or {}
    slot_of, slots = _plan(text, drawers)
    calls: dict[str, int] = {}
    for name, drawer in drawers.items():
        mine = [k for k, s in enumerate(slots) if s.drawer == name]
        if not mine:
            continue
        base = style_vector(seed, name, drawer.latent_dim)
        best: dict[int, Slot] = {}
        made = dict.fromkeys(mine, 0)
        todo = mine
        for attempt in range(max_redraws + 1):
            labels = np.array([slots[k].class_id for k in todo], dtype=np.int32)
            z = np.stack([slot_latent(seed, name, base, slots[k].class_id, slots[k].variant, attempt) for k in todo])
            images = np.asarray(drawer.draw(labels, z), dtype=np.uint8)
            calls[name] = calls.get(name, 0) + 1
            trial = [Slot(drawer=name, class_id=slots[k].class_id, variant=slots[k].variant) for k in todo]
            _read(trial, images, readers.get(name), drawer.charset)
            for k, s, img in zip(todo, trial, images, strict=True):
                s.glyph = img
                made[k] += 1
                best[k] = _keep_better(best.get(k), s)
            todo = [k for k in todo if not best[k].accepted]
            if not todo:
                break
        for k in mine:
            slots[k] = best[k]
            slots[k].attempts = made[k]
    glyphs = [None if k is None else slots[k].glyph for k in slot_of]
    return GlyphSheet(text=text, glyphs=glyphs, slot_of=slot_of, slots=slots, calls=calls)
