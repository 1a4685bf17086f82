"""One export, start to end: plan the counts, draw (with optional rejection), write the ZIP.

The CLI (``python -m ml.export_dataset``) and the Celery worker both call
``export_dataset``; it takes paths and plain values only, so it runs anywhere ml runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from ml.data.idx import sha256_of
from ml.export import plan
from ml.export.files import write_export

README_TEMPLATE = """# {title}

Synthetic handwriting drawn by the HandGen generator `{generator}` (weights SHA-256
`{version}`), seed {seed}: {total:,} images of {n_classes} classes, 28x28 pixels,
white ink (255) on black (0), upright, like MNIST.

Data format: **{fmt}**. {layout}

Labels are class ids of the charset `{charset}`; class id i is the character at
position i of `charset.classes` in `manifest.json` ({classes}).

Class counts: {counting}. {rejection}

`manifest.json` lists the SHA-256 of every data file; HandGen's dataset import
(`manage.py import_dataset export PATH`, or the admin's dataset import)
verifies them and reads this file back as a dataset.

Every image is generated: none is a real person's handwriting. Scores of how well a
classifier trained on such a set reads real handwriting are on the generator's card.
"""

LAYOUTS = {
    "idx": "`train-images-idx3-ubyte.gz` and `train-labels-idx1-ubyte.gz` are gzipped IDX files, "
           "byte for byte MNIST's layout; any MNIST reader opens them.",
    "npz": "`dataset.npz` (numpy) holds `images` (uint8, n x 28 x 28), `labels` (int32 class ids) and "
           "`classes` (the character of each class id).",
    "png": "`images/<character>/<number>.png`: one folder per character, 8-bit greyscale PNGs.",
}


def class_counts(charset, *, per_class: int | None = None, histogram: Mapping[str, int] | None = None,
                 total: int | None = None) -> np.ndarray:
    """Per-class counts from either ``per_class`` or (``histogram``, ``total``); exactly one must be given."""
    if (per_class is None) == (histogram is None):
        raise plan.ExportRequestError("give either images per class or class proportions with a total")
    if per_class is not None:
        return plan.uniform_counts(charset.n_classes, per_class)
    return plan.proportional_counts(charset.classes, histogram, total, class_of=charset.class_of)


def export_dataset(generator_path, out, *, fmt: str, seed: int, per_class: int | None = None,
                   histogram: Mapping[str, int] | None = None, total: int | None = None,
                   proportions_from: str = "", reject: bool = False, max_redraws: int = plan.MAX_REDRAWS,
                   generator_name: str = "", progress: Callable[[int, int], None] | None = None,
                   generator=None) -> dict:
    """Write the export ZIP ``out``; return its manifest plus ``draw_seconds``.

    ``generator`` may be an already loaded Generator (a warm worker's, a benchmark's).
    """
    from ml.export.draw import draw_set, evaluator_acceptor
    from ml.generator import Generator

    plan.check_format(fmt)
    seed = plan.check_seed(seed)
    generator = generator or Generator(generator_path)
    charset = generator.charset
    counts = class_counts(charset, per_class=per_class, histogram=histogram, total=total)
    labels = plan.labels_for(counts, seed)
    acceptor, reader = (None, None)
    if reject:
        found = evaluator_acceptor(charset)
        if found is None:
            raise plan.ExportRequestError(f"no shipped evaluator reads charset {charset.name!r}: "
                                          "export without rejection")
        acceptor, reader = found
    t0 = time.perf_counter()
    drawn = draw_set(generator, labels, seed=seed, acceptor=acceptor, max_redraws=max_redraws if reject else 0,
                     progress=progress)
    draw_seconds = time.perf_counter() - t0
    weights = Path(generator_path)
    weights = weights / "model.keras" if weights.is_dir() else weights
    name = generator_name or weights.parent.name
    version = sha256_of(weights)
    rejection = ({"evaluator": reader, "max_redraws": max_redraws, "rejected_first_draw": drawn.rejected_first_draw,
                  "redrawn": drawn.redrawn, "kept_although_rejected": drawn.still_rejected} if reject else None)
    manifest = {
        "generator": {"name": name, "version": version, "architecture": generator.meta.get("architecture", "")},
        "seed": seed,
        "per_class": per_class,
        "proportions_from": proportions_from or None,
        "rejection": rejection,
    }
    readme = README_TEMPLATE.format(
        title=f"{name}: {len(labels):,} synthetic characters", generator=name, version=version, seed=seed,
        total=len(labels), n_classes=charset.n_classes, fmt=fmt, layout=LAYOUTS[fmt], charset=charset.name,
        classes=" ".join(charset.classes),
        counting=(f"{per_class:,} per class" if per_class is not None
                  else f"proportions copied from {proportions_from or 'a real dataset'}"),
        rejection=(f"Glyphs the `{reader}` evaluator read as another character (or blank) were redrawn up to "
                   f"{max_redraws} times; {drawn.still_rejected:,} were kept after the last try."
                   if reject else "No glyph was rejected (every first drawing is kept)."))
    written = write_export(out, fmt=fmt, images=drawn.images, labels=labels, charset=charset,
                           manifest=manifest, readme=readme)
    # Timings stay out of the file: the same request gives the same bytes.
    return {**written, "draw_seconds": round(draw_seconds, 2)}
