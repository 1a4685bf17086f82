"""Load a shipped evaluator classifier once per process and run it on uint8 glyphs.

An evaluator folder holds ``model.keras`` (the classifier), ``model.json`` (its
charset, seed, accuracy, versions), ``CARD.md`` and ``real_stats*.npz`` (per-class
features of real test sets, for FID; see ``realstats``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from ml.data.charset import Charset
from ml.metrics.realstats import RealStats, filename_for

PRETRAINED = Path(__file__).resolve().parents[1] / "pretrained" / "evaluators"

# Which shipped evaluator scores a generator of each charset. A case-aware
# generator is scored case-merged by the letters evaluator; its case is judged
# separately by the letters-cased one (see ml.metrics.scoring).
SCORING_EVALUATOR = {"digits": "digits", "letters": "letters", "letters-cased": "letters", "alnum": "alnum",
                     "alnum-cased": "alnum"}
CASE_EVALUATOR = {"letters-cased": "letters-cased", "alnum-cased": "letters-cased"}


class Evaluator:
    def __init__(self, path, *, batch_size: int = 500):
        import keras

        from ml.metrics.classifiers import FEATURES

        self.path = Path(path)
        self.meta = json.loads((self.path / "model.json").read_text())
        self.charset = Charset.from_dict(self.meta["charset"])
        self.model = keras.saving.load_model(self.path / "model.keras", compile=False)
        self._both = keras.Model(self.model.inputs, [self.model.output, self.model.get_layer(FEATURES).output])
        self.batch_size = batch_size
        self._real_stats: dict[str, RealStats | None] = {}

    @property
    def n_classes(self) -> int:
        return self.charset.n_classes

    def outputs(self, images) -> tuple[np.ndarray, np.ndarray]:
        """uint8 (N, 28, 28) white-on-black glyphs -> (class probabilities (N, K), features (N, D))."""
        images = np.asarray(images)
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(f"expected uint8 (N, 28, 28) images, got {images.dtype} {images.shape}")
        probs, feats = [], []
        b = self.batch_size
        for i in range(0, len(images), b):
            chunk = images[i:i + b]
            # Pad to a power of two (at most b): a handful of shapes to trace per process,
            # and a few glyphs checked while rendering text do not pay for a full batch.
            size = min(b, 1 << max(3, (len(chunk) - 1).bit_length()))
            batch = np.zeros((size, 28, 28, 1), np.float32)
            batch[:len(chunk), ..., 0] = chunk / np.float32(255.0)
            p, f = self._both.predict_on_batch(batch)
            probs.append(np.asarray(p)[:len(chunk)])
            feats.append(np.asarray(f)[:len(chunk)])
        if not probs:
            return np.zeros((0, self.n_classes), np.float32), np.zeros((0, 0), np.float32)
        return np.concatenate(probs).astype(np.float64), np.concatenate(feats).astype(np.float64)

    def probs(self, images) -> np.ndarray:
        return self.outputs(images)[0]

    def features(self, images) -> np.ndarray:
        return self.outputs(images)[1]

    def real_stats_for(self, charset_name: str) -> RealStats | None:
        """Per-class real test features for images of charset ``charset_name`` (its classes), or None."""
        if charset_name not in self._real_stats:
            path = self.path / filename_for(charset_name, self.charset.name)
            self._real_stats[charset_name] = RealStats.load(path) if path.exists() else None
        return self._real_stats[charset_name]

    @property
    def real_stats(self) -> RealStats | None:
        """The real test statistics of the evaluator's own charset."""
        return self.real_stats_for(self.charset.name)


@functools.lru_cache(maxsize=16)
def _load(resolved: str) -> Evaluator:
    return Evaluator(resolved)


def load_evaluator(path) -> Evaluator:
    """The evaluator in folder ``path``, loaded once per process."""
    path = Path(path).resolve()
    if not (path / "model.keras").exists():
        raise FileNotFoundError(f"{path}: no evaluator (model.keras) here")
    return _load(str(path))


def shipped_evaluator(name: str) -> Evaluator | None:
    """The shipped evaluator for charset ``name`` (digits, letters, letters-cased, alnum), or None."""
    path = PRETRAINED / name
    return load_evaluator(path) if (path / "model.keras").exists() else None
