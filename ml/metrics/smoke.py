"""A fast label-fidelity check for a generator file, so a broken one cannot ship (the shipped-model tests call it)."""

from __future__ import annotations

import numpy as np

from ml.metrics.epoch import scoring_evaluators
from ml.metrics.scoring import case_scores, score_images


def smoke_check(generator_path, per_class: int = 30, seed: int = 0) -> dict:
    """Draw ``per_class`` images of every class and read them with the shipped evaluator.

    Returns {"cond_acc", "cond_acc_min_class", "cond_acc_min_class_char", "n", "evaluator"} (plus
    "case_acc" for a case-aware generator). Raises LookupError when no shipped evaluator
    reads the generator's charset, so a missing evaluator fails loudly instead of passing.
    """
    from ml.generator import Generator

    gen = Generator(generator_path)
    evaluator, cased = scoring_evaluators(gen.charset)
    if evaluator is None:
        raise LookupError(f"no shipped evaluator reads charset {gen.charset.name!r}")
    labels = np.repeat(np.arange(gen.charset.n_classes, dtype=np.int32), per_class)
    images = gen.draw(labels, seed=seed)
    scores = score_images(evaluator, images, labels, gen.charset, with_fid=False)
    worst = int(scores.metrics["cond_acc_min_class_id"])
    out = {"cond_acc": scores.metrics["cond_acc"], "cond_acc_min_class": scores.metrics["cond_acc_min_class"],
           "cond_acc_min_class_char": gen.charset.char_of(worst), "n": len(labels),
           "evaluator": evaluator.charset.name}
    if cased is not None:
        out.update({k: v for k, v in case_scores(cased, images, labels, gen.charset).items() if k == "case_acc"})
    return out
