"""The full evaluation of an exported generator, with the real-data reference beside every figure.

Behind ``python -m ml.evaluate`` and the end-of-training evaluation: draw ``n``
images spread evenly over the generator's classes, read them with the shipped
evaluator (case-merged for a case-aware generator, plus its case accuracy), and
lay the result next to ml/metrics/REFERENCE.json and issue 8's targets.
"""

from __future__ import annotations

import math

import numpy as np

from ml.metrics.epoch import scoring_evaluators
from ml.metrics.reference import load_reference
from ml.metrics.scoring import case_scores, score_images

# Issue 8's targets: (minimum or maximum, value or factor of the reference).
COND_ACC_TARGET = {"digits": 0.99, "letters": 0.95, "letters-cased": 0.95, "alnum": 0.95}
MIN_CLASS_TARGET = 0.90
FID_FACTOR = 3.0


def evaluate_generator(path, n: int = 10_000, seed: int = 0) -> dict:
    """All metrics for the generator at ``path`` (JSON-serialisable)."""
    from ml.generator import Generator

    if n < 2:
        raise ValueError("n must be at least 2")
    gen = Generator(path)
    evaluator, cased = scoring_evaluators(gen.charset)
    if evaluator is None:
        raise LookupError(f"no shipped evaluator reads charset {gen.charset.name!r}")
    labels = (np.arange(n) % gen.charset.n_classes).astype(np.int32)
    images = gen.draw(labels, seed=seed)
    scores = score_images(evaluator, images, labels, gen.charset)
    metrics = dict(scores.metrics)
    metrics["cond_acc_min_class_char"] = gen.charset.char_of(int(metrics.pop("cond_acc_min_class_id")))
    if cased is not None:
        metrics.update(case_scores(cased, images, labels, gen.charset))
    return {
        "generator": str(path),
        "charset": gen.charset.name,
        "architecture": gen.meta.get("architecture"),
        "n": n,
        "seed": seed,
        "evaluator": evaluator.charset.name,
        "case_evaluator": cased.charset.name if cased is not None else None,
        "metrics": metrics,
        "per_class_accuracy": {gen.charset.char_of(i): (None if math.isnan(a) else float(a))
                               for i, a in enumerate(scores.per_class)},
        # rows: requested class folded onto the evaluator's classes; columns: what it read
        "classes": [evaluator.charset.char_of(i) for i in range(evaluator.n_classes)],
        "confusion_matrix": scores.confusion.tolist(),
        "reference": {k: v for k, v in load_reference().get(gen.charset.name, {}).items()
                      if isinstance(v, int | float | str)},
    }


def target_checks(result: dict) -> dict[str, tuple[str, bool]]:
    """metric -> (target text, met?) for issue 8's targets that apply to this result."""
    m, ref, cs = result["metrics"], result["reference"], result["charset"]
    checks = {}
    if cs in COND_ACC_TARGET:
        checks["cond_acc"] = (f">= {COND_ACC_TARGET[cs]:.2f}", m["cond_acc"] >= COND_ACC_TARGET[cs])
    checks["cond_acc_min_class"] = (f">= {MIN_CLASS_TARGET:.2f}", m["cond_acc_min_class"] >= MIN_CLASS_TARGET)
    if "fid" in m and "fid" in ref:
        limit = FID_FACTOR * ref["fid"]
        checks["fid"] = (f"<= {limit:.3f} (3x real)", m["fid"] <= limit)
    return checks


def format_report(result: dict) -> str:
    m, ref = result["metrics"], result["reference"]
    checks = target_checks(result)
    rows = [
        ("conditioning accuracy", "cond_acc", "{:.4f}"),
        ("weakest class accuracy", "cond_acc_min_class", "{:.4f}"),
        ("inception score (10 splits)", "is", "{:.3f}"),
        ("  split std", "is_std", "{:.3f}"),
        ("BCIS (between-class)", "bcis", "{:.3f}"),
        ("  BCIS ceiling exp H(c)", "bcis_ceiling", "{:.3f}"),
        ("WCIS (within-class)", "wcis", "{:.4f}"),
        ("FID vs real test (features)", "fid", "{:.4f}"),
        ("case accuracy (cased letters)", "case_acc", "{:.4f}"),
        ("strict cased accuracy", "cased_cond_acc", "{:.4f}"),
    ]
    header = (f"generator {result['generator']} ({result['architecture']}, charset {result['charset']}): "
              f"{result['n']:,} images, seed {result['seed']}, evaluator {result['evaluator']}"
              + (f", case evaluator {result['case_evaluator']}" if result["case_evaluator"] else ""))
    lines = [header, "", f"{'metric':32} {'generator':>10} {'real data':>10}  target"]
    for title, key, fmt in rows:
        if key not in m:
            continue
        value = fmt.format(m[key])
        if key == "cond_acc_min_class":
            value = f"{m['cond_acc_min_class_char']} {value}"
        real = fmt.format(ref[key]) if isinstance(ref.get(key), int | float) else "-"
        if key == "cond_acc_min_class" and "cond_acc_min_class_char" in ref:
            real = f"{ref['cond_acc_min_class_char']} {real}"
        target = checks.get(key)
        note = f"{target[0]} {'ok' if target[1] else 'MISSED'}" if target else ""
        lines.append(f"{title:32} {value:>10} {real:>10}  {note}")
    if not ref:
        lines.append("(no real-data reference for this charset: run python -m ml.metrics.reference)")
    lines.append("")
    lines.append("real data: the evaluator on real test images with their true labels; its FID is real train vs "
                 "real test (10,000 each). Class-balanced throughout (ml/metrics/README.md).")
    per_class = sorted((v, k) for k, v in result["per_class_accuracy"].items() if v is not None)
    lines.append("weakest classes: " + ", ".join(f"{k} {v:.3f}" for v, k in per_class[:8]))
    return "\n".join(lines)
