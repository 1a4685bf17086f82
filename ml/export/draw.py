"""Draw an export's images in large batches, optionally redrawing what the evaluator cannot read.

Noise comes from the seed alone (one stream for the first draw, one per redraw round),
never from the batch size, so the same request gives the same bytes however it is
chunked. Rejection is the writer's rule applied to a whole set: a glyph that is blank
or that the shipped evaluator reads as another character is drawn again with fresh
noise, up to ``max_redraws`` rounds; what is still rejected after that is kept (the
counts stay exact) and counted in the manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CHUNK = 4096  # images per generator call: big enough to keep both cores busy, ~13 MB of float32 output


@dataclass
class DrawnSet:
    images: np.ndarray  # (n, 28, 28) uint8, white ink on black, upright
    labels: np.ndarray  # (n,) int32 class ids of the generator's charset
    rejected_first_draw: int = 0  # images the acceptor refused on the first draw
    redrawn: int = 0  # redraws made in all rounds
    still_rejected: int = 0  # kept after the last round although refused


def _noise(seed: int, stream: int, n: int, latent_dim: int) -> np.ndarray:
    return np.random.default_rng([seed, 2, stream]).standard_normal((n, latent_dim), dtype=np.float32)


def draw_set(generator, labels: np.ndarray, *, seed: int, acceptor: Callable | None = None,
             max_redraws: int = 0, progress: Callable[[int, int], None] | None = None) -> DrawnSet:
    """``labels`` drawn by ``generator`` (``.draw(labels, z)``, ``.latent_dim``); see the module docstring."""
    n = len(labels)
    images = np.empty((n, 28, 28), np.uint8)
    z = _noise(seed, 0, n, generator.latent_dim)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        images[start:stop] = generator.draw(labels[start:stop], z[start:stop])
        if progress:
            progress(stop, n)
    result = DrawnSet(images, labels)
    if acceptor is None or n == 0:
        return result
    todo = np.flatnonzero(~_accepted(acceptor, images, labels))
    result.rejected_first_draw = len(todo)
    for round_ in range(1, max_redraws + 1):
        if not len(todo):
            break
        fresh = np.empty((len(todo), 28, 28), np.uint8)
        zr = _noise(seed, round_, len(todo), generator.latent_dim)
        for start in range(0, len(todo), CHUNK):
            rows = todo[start:start + CHUNK]
            fresh[start:start + len(rows)] = generator.draw(labels[rows], zr[start:start + len(rows)])
        ok = _accepted(acceptor, fresh, labels[todo])
        images[todo[ok]] = fresh[ok]  # a refused redraw keeps the first drawing: no better, no worse
        result.redrawn += len(todo)
        todo = todo[~ok]
    result.still_rejected = len(todo)
    return result


def _accepted(acceptor, images, labels) -> np.ndarray:
    out = np.empty(len(labels), bool)
    for start in range(0, len(labels), CHUNK):
        out[start:start + CHUNK] = acceptor(images[start:start + CHUNK], labels[start:start + CHUNK])
    return out


def evaluator_acceptor(charset) -> tuple[Callable, str] | None:
    """(images, labels) -> accepted mask using the shipped evaluator that scores ``charset``; None if none fits."""
    from ml.metrics.epoch import scoring_evaluators
    from ml.metrics.scoring import label_map
    from ml.render.glyphs import glyphs_are_blank

    evaluator, _ = scoring_evaluators(charset)
    if evaluator is None:
        return None
    mapping = label_map(charset, evaluator.charset)

    def accept(images, labels):
        read = np.argmax(evaluator.probs(images), axis=1)
        return (read == mapping[labels]) & ~np.asarray(glyphs_are_blank(images), bool)

    return accept, evaluator.charset.name
