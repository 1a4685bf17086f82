"""Which characters users may write: the default generators' charsets, plus layout and punctuation.

Read in the web process for every submission, so it never loads Keras: a
generator's charset comes from the metadata stored inside its ``.keras`` file
(``ml.generator.read_metadata``), read once per weights file and kept for the
life of the process (the cache key is the weights' SHA-256, which changes with
every new version).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from generator_app.models import GeneratorModel
from ml.data.charset import Charset
from ml.render import punctuation_supported
from ml.writer import choose_drawer

logger = logging.getLogger(__name__)

LAYOUT_CHARACTERS = frozenset(" \n")
PUNCTUATION_ORDER = ".,!?'\"-:;()"  # as a person lists them
# An error message names at most this many distinct characters, each with this many positions.
MAX_LISTED_CHARACTERS = 20
MAX_LISTED_POSITIONS = 10

_metadata_lock = threading.Lock()
_charset_cache: dict[str, Charset] = {}


@dataclass(frozen=True)
class CharsetEntry:
    """A default generator and the charset its weights were trained on."""

    generator: GeneratorModel
    charset: Charset


@dataclass(frozen=True)
class WritingCharsets:
    """What the active generators can write, and how to say it on the page."""

    entries: dict[str, CharsetEntry]  # by GeneratorModel.charset

    @property
    def drawn(self) -> frozenset[str]:
        chars: set[str] = set()
        for entry in self.entries.values():
            chars |= entry.charset.characters()
        return frozenset(chars)

    @property
    def accepted(self) -> frozenset[str]:
        return self.drawn | LAYOUT_CHARACTERS | punctuation_supported()

    @property
    def available(self) -> bool:
        return bool(self.entries)

    def drawer_for(self, ch: str) -> str | None:
        return choose_drawer(ch, self.entries)

    @property
    def case_note(self) -> str:
        """How capitals are treated, in one sentence for the page ('' when there are no letters)."""
        letters = [e.charset for e in self.entries.values() if e.charset.covers("a") or e.charset.covers("A")]
        if not letters:
            return ""
        cased = [c for c in letters if c.case_aware]
        if cased:
            shared = sorted(ch for ch in cased[0].aliases if ch.islower())
            if not shared:
                return "Capitals are drawn as capitals."
            example = "o" if "o" in shared else shared[0]
            return (
                "Capitals are drawn as capitals, except for "
                + " ".join(shared)
                + ": their capital and small forms look alike in handwriting and share one drawing "
                + f"(typing {example} or {example.upper()} draws the same shape, sized by the case you type)."
            )
        return "Capitals are not distinguished: A and a are drawn with the same letter shape."

    def summary(self) -> str:
        """'letters a–z and A–Z, digits 0–9, space, line breaks and . , ! ...'."""
        parts = []
        drawn = self.drawn
        if any(c in drawn for c in "abcdefghijklmnopqrstuvwxyz"):
            parts.append("letters a–z and A–Z")
        if any(c in drawn for c in "0123456789"):
            parts.append("digits 0–9")
        parts.append("space, line breaks")
        marks = [ch for ch in PUNCTUATION_ORDER if ch in punctuation_supported()]
        marks += sorted(punctuation_supported() - set(marks))
        parts.append("and the punctuation " + " ".join(marks))
        return ", ".join(parts)


def _cache_key(generator: GeneratorModel) -> str:
    return generator.weights_sha256 or f"{generator.name}:{generator.weights.name}"


def generator_charset(generator: GeneratorModel) -> Charset:
    """The charset stored in a generator's weights file (cached per weights version)."""
    key = _cache_key(generator)
    with _metadata_lock:
        cached = _charset_cache.get(key)
    if cached is not None:
        return cached
    from ml.generator import read_metadata  # numpy + zipfile only: safe in the web process

    charset = Charset.from_dict(read_metadata(generator.weights.path)["charset"])
    with _metadata_lock:
        _charset_cache[key] = charset
    return charset


def writing_charsets() -> WritingCharsets:
    """The default generators whose metadata can be read; an unreadable one is logged and left out."""
    entries = {}
    for generator in GeneratorModel.objects.filter(is_default=True).order_by("charset"):
        try:
            entries[generator.charset] = CharsetEntry(generator, generator_charset(generator))
        except (OSError, ValueError, KeyError) as error:
            logger.error("default generator %s cannot be used: %s", generator.name, error)
    return WritingCharsets(entries)


def _describe(ch: str) -> str:
    names = {"\t": "tab", "\r": "carriage return", "\u00a0": "non-breaking space"}
    if ch in names:
        return names[ch]
    if not ch.isprintable():
        return f"U+{ord(ch):04X}"
    return repr(ch)


def _positions(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_LISTED_POSITIONS])
    more = len(numbers) - MAX_LISTED_POSITIONS
    label = "position" if len(numbers) == 1 else "positions"
    return f"{label} {shown}" + (f" and {more} more" if more > 0 else "")


def unsupported_characters(text: str, accepted: frozenset[str]) -> dict[str, list[int]]:
    """{character: its 1-based positions} for every character that cannot be written."""
    found: dict[str, list[int]] = defaultdict(list)
    for position, ch in enumerate(text, start=1):
        if ch not in accepted:
            found[ch].append(position)
    return dict(found)


def check_text_is_writable(text: str, charsets: WritingCharsets) -> None:
    """Raise ValidationError({'text': ...}) naming each character that cannot be written and where."""
    if not charsets.available:
        raise ValidationError(
            {"text": "No handwriting generator is installed yet, so nothing can be written. "
                     "An administrator needs to register one (manage.py register_pretrained)."}
        )  # fmt: skip
    found = unsupported_characters(text, charsets.accepted)
    if not found:
        return
    items = list(found.items())
    listed = "; ".join(f"{_describe(ch)} at {_positions(pos)}" for ch, pos in items[:MAX_LISTED_CHARACTERS])
    if len(items) > MAX_LISTED_CHARACTERS:
        listed += f"; and {len(items) - MAX_LISTED_CHARACTERS} more characters"
    noun = "This character cannot" if len(items) == 1 else "These characters cannot"
    raise ValidationError({"text": f"{noun} be written: {listed}. Supported: {charsets.summary()}."})
