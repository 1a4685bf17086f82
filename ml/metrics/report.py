"""The full evaluation of an exported generator, with the real-data reference beside every figure.

Behind ``python -m ml.evaluate`` and the end-of-training evaluation: draw ``n``
images spread evenly over the generator's classes, read them with the shipped
evaluator (case-merged for a case-aware generator, plus its case accuracy), and
lay the result next to ml/metrics/REFERENCE.json and the quality targets.
"""

from __future__ import annotations

import math

import numpy as np

from ml.data.charset import Charset, get_charset
from ml.metrics.epoch import scoring_evaluators
from ml.metrics.evaluator import shipped_evaluator
from ml.metrics.reference import load_reference
from ml.metrics.scoring import case_scores, score_images

# Quality targets: conditioning accuracy floors, the weakest class's floor, FID within a factor of real.
COND_ACC_TARGET = {"digits": 0.99, "letters": 0.95, "letters-cased": 0.95, "alnum": 0.95}
# A generator of digits and letters is also read part by part, each part by its own
# evaluator (the stronger readers), against that part's target and real-data figures.
# (part, its evaluator, its REFERENCE.json entry, conditioning accuracy target)
PARTS = {"alnum-cased": (("digits", "digits", "digits", 0.99), ("letters", "letters", "letters-cased", 0.98))}
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
    real = _real_test(gen.charset) if gen.charset.name in PARTS else None
    parts = {name: _part_scores(evaluator_name, reference, target, gen, n, seed, real)
             for name, evaluator_name, reference, target in PARTS.get(gen.charset.name, ())}
    return {
        "generator": str(path),
        "parts": parts,
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


def _real_test(charset: Charset):
    """The real test images of a union charset, to read the real per-class figures beside the generated
    ones; None when the datasets are not here."""
    from ml.data.sources import load_named

    try:
        return load_named(charset.name)["test"]
    except (OSError, ValueError):
        return None


def _part_scores(evaluator_name: str, reference: str, target: float, gen, n: int, seed: int, real=None) -> dict:
    """``n`` images of the classes ``evaluator_name``'s evaluator reads, scored by it (and the real test
    images of those classes, when given, for the per-class figures a generator is judged against).

    Each part gets its own ``n`` images, so its FID is taken at the sample size of the real
    train-vs-test figure beside it (FID is biased upwards by small samples).
    """
    charset = gen.charset
    evaluator = shipped_evaluator(evaluator_name)
    ids = [i for i, ch in enumerate(charset.classes) if evaluator.charset.covers(ch)]
    sub = _part_charset(charset, ids, evaluator_name, reference)
    relabel = np.full(charset.n_classes, -1)
    relabel[ids] = np.arange(len(ids))
    labels = np.asarray(ids, dtype=np.int32)[np.arange(n) % len(ids)]
    images = gen.draw(labels, seed=seed)

    def scored(imgs, lab, fid=True):
        keep = relabel[lab] >= 0
        return keep, score_images(evaluator, imgs[keep], relabel[lab[keep]], sub, with_fid=fid)

    def by_class(values):
        return {sub.char_of(i): (None if math.isnan(a) else float(a)) for i, a in enumerate(values)}

    keep, scores = scored(images, labels)
    m = scores.metrics
    per_class = by_class(scores.per_class)
    real_per_class = by_class(scored(real.images, real.labels, fid=False)[1].per_class) if real is not None else {}
    ref = load_reference().get(reference, {})
    return {
        "evaluator": evaluator_name,
        "images": int(keep.sum()),
        "cond_acc": float(m["cond_acc"]),
        "cond_acc_target": target,
        "cond_acc_min_class": float(m["cond_acc_min_class"]),
        "fid": float(m["fid"]),
        "per_class_accuracy": per_class,
        "reference": {k: v for k, v in ref.items() if isinstance(v, int | float | str)},
        "reference_per_class": real_per_class,
    }


def _part_charset(charset: Charset, ids: list[int], evaluator_name: str, reference: str) -> Charset:
    """The classes ``ids`` of ``charset`` as a charset of their own: the reference charset itself when
    they are its classes, so FID mixes that charset's real test set by the same classes the
    generator was asked for (case by case for letters, not with the real pool's own share of
    capitals inside each case-merged class)."""
    classes = tuple(charset.classes[i] for i in ids)
    known = get_charset(reference)
    if tuple(known.classes) == classes:
        return known
    return Charset(f"{charset.name}:{evaluator_name}", classes, case_aware=charset.case_aware,
                   aliases={a: ids.index(c) for a, c in charset.aliases.items() if c in ids})


def target_checks(result: dict) -> dict[str, tuple[str, bool]]:
    """metric -> (target text, met?) for the targets that apply to this result."""
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
    for name, part in result.get("parts", {}).items():
        ref_part = part["reference"]
        ok = "ok" if part["cond_acc"] >= part["cond_acc_target"] else "MISSED"
        lines.append("")
        lines.append(f"{name} ({part['images']:,} images, {part['evaluator']} evaluator): conditioning accuracy "
                     f"{part['cond_acc']:.4f} (target >= {part['cond_acc_target']:.2f} {ok}; real data "
                     f"{ref_part.get('cond_acc', float('nan')):.4f}), FID {part['fid']:.4f} (real "
                     f"{ref_part.get('fid', float('nan')):.4f}, 3x = {3 * ref_part.get('fid', float('nan')):.4f})")
        low = sorted((v, k) for k, v in part["per_class_accuracy"].items() if v is not None and v < MIN_CLASS_TARGET)
        real = part["reference_per_class"]
        lines.append("  classes below 0.90: " + (", ".join(
            f"{k} {v:.3f} (real {real[k]:.3f})" if isinstance(real.get(k), int | float) else f"{k} {v:.3f}"
            for v, k in low) or "none"))
    return "\n".join(lines)
