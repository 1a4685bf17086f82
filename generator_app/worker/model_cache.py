"""The models a worker process keeps loaded: each generator and evaluator once per process.

Generation, exports, usefulness scores and sheet reading draw or read through this cache
(loading imports Keras and its backend). Generators are cached by the SHA-256 of their
weights, so a new default version is loaded next to the old one instead of being confused
with it, and the same file registered twice is loaded once. Loading ends with two tiny
draws: Keras traces its predict function for a fixed batch size first and for any batch
size after a second shape, so the first user request does not pay for tracing.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
from django.conf import settings

from generator_app.models import GeneratorModel

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_generators: dict[str, object] = {}
_readers: dict[str, object | None] = {}


class EvaluatorReader:
    """An evaluator classifier as the redraw loop needs it: class probabilities, exact batch."""

    def __init__(self, evaluator):
        self.charset = evaluator.charset
        self.name = evaluator.path.name
        self._model = evaluator.model

    def probs(self, images) -> np.ndarray:
        batch = np.asarray(images, dtype=np.float32)[..., None] / np.float32(255.0)
        return np.asarray(self._model.predict_on_batch(batch))


def _load_generator(path: str):
    from ml.generator import Generator

    generator = Generator(path)
    for n in (1, 2):
        generator.draw(np.zeros(n, np.int32), np.zeros((n, generator.latent_dim), np.float32))
    return generator


def generator_for(model: GeneratorModel):
    """The loaded ``ml.generator.Generator`` of a registered generator (cached per process)."""
    key = model.weights_sha256 or f"{model.name}:{model.weights.name}"
    with _lock:
        loaded = _generators.get(key)
        if loaded is None:
            logger.info("loading generator %s (%s)", model.name, key[:12])
            loaded = _generators[key] = _load_generator(model.weights.path)
    return loaded


def generator_file(name: str, sha256: str):
    """A loaded generator stored under MEDIA_ROOT by name (a user's hand), cached by its SHA-256."""
    with _lock:
        loaded = _generators.get(sha256)
        if loaded is None:
            logger.info("loading hand generator %s (%s)", name, sha256[:12])
            loaded = _generators[sha256] = _load_generator(str(Path(settings.MEDIA_ROOT) / name))
    return loaded


def _load_reader(folder: Path):
    from ml.metrics.evaluator import Evaluator

    reader = EvaluatorReader(Evaluator(folder))
    for n in (1, 2):
        reader.probs(np.zeros((n, 28, 28), np.uint8))
    return reader


def evaluator_name_for(charset: str) -> str:
    """Which evaluator reads a generator's glyphs: letters-cased is read case merged by 'letters'."""
    from ml.metrics.evaluator import SCORING_EVALUATOR

    return SCORING_EVALUATOR.get(charset, charset)


def reader_for(charset: str):
    """The evaluator reader for a generator charset, or None when no evaluator is installed.

    An evaluator that fails to load is logged once and treated as absent: glyphs
    are then still checked for blankness, and requests still succeed.
    """
    name = evaluator_name_for(charset)
    folder = Path(settings.HANDGEN_EVALUATOR_DIR) / name
    key = str(folder)
    with _lock:
        if key not in _readers:
            reader = None
            if (folder / "model.keras").is_file():
                try:
                    logger.info("loading evaluator %s", folder)
                    reader = _load_reader(folder)
                except Exception:
                    logger.exception("evaluator %s could not be loaded; glyphs are only checked for ink", folder)
            _readers[key] = reader
        return _readers[key]


def loaded_counts() -> dict[str, int]:
    """How many generators and evaluators this process holds (for tests and diagnostics)."""
    with _lock:
        return {"generators": len(_generators), "readers": sum(r is not None for r in _readers.values())}
