"""Turn a run's stored JSON (config, final evaluation) into what its pages show.

Everything here tolerates partial or odd data: the training side fills these fields
over time and a run stopped early has only some of them, so a missing piece is
left out of the page rather than breaking it.
"""

import math

from .run_charts import QUALITY_METRICS

METRIC_TITLES = {metric["key"]: metric["title"] for metric in QUALITY_METRICS} | {
    "case_acc": "Case accuracy",
    "cased_cond_acc": "Strict cased accuracy",
    "is_std": "IS std over splits",
    "bcis_ceiling": "BCIS ceiling",
    "fid_1k": "FID (1,000 images)",
}
LOWER_IS_BETTER = {"fid", "fid_1k", "wcis"}


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fmt_number(value):
    """1.0 -> "1", 0.5 -> "0.5", 0.0002 -> "2e-4": how people write learning rates."""
    if value == 0 or abs(value) >= 0.01:
        return f"{value:g}"
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def _optimizer(opt):
    if not isinstance(opt, dict) or "name" not in opt:
        return None
    text = str(opt["name"])
    if _is_number(opt.get("learning_rate")):
        text += f" lr {_fmt_number(opt['learning_rate'])}"
    if _is_number(opt.get("beta_1")):
        text += f" β1 {_fmt_number(opt['beta_1'])}"
    return text


def key_options(config):
    """Short labels for the options that tell runs apart in a list ("loss hinge", "no batch norm")."""
    if not isinstance(config, dict):
        return []
    options = []
    if config.get("loss"):
        options.append(f"loss {config['loss']}")
    if config.get("update") == "simultaneous":
        options.append("simultaneous update")
    if "batch_norm" in config:
        options.append("batch norm" if config["batch_norm"] else "no batch norm")
    g_opt, d_opt = _optimizer(config.get("g_optimizer")), _optimizer(config.get("d_optimizer"))
    if g_opt and g_opt == d_opt:
        options.append(g_opt)
    else:
        options.extend(label for label in (g_opt and f"G {g_opt}", d_opt and f"D {d_opt}") if label)
    if _is_number(config.get("batch_size")):
        options.append(f"batch {config['batch_size']}")
    if _is_number(config.get("ema")):
        options.append(f"EMA {_fmt_number(config['ema'])}")
    if _is_number(config.get("aux_weight")) and config["aux_weight"]:
        options.append(f"aux {_fmt_number(config['aux_weight'])}")
    if _is_number(config.get("label_smoothing")) and config["label_smoothing"]:
        options.append(f"smoothing {_fmt_number(config['label_smoothing'])}")
    if config.get("activation"):
        options.append(str(config["activation"]))
    if config.get("conditional") is False:
        options.append("unconditional")
    return options


def config_rows(config):
    """(key, text) pairs of the full config, nested objects flattened to ``a.b``."""
    rows = []

    def walk(prefix, value):
        if isinstance(value, dict):
            for key in sorted(value):
                walk(f"{prefix}.{key}" if prefix else str(key), value[key])
        else:
            rows.append((prefix, "—" if value is None else str(value)))

    walk("", config if isinstance(config, dict) else {})
    return rows


def _metric_rows(metrics, reference):
    rows = []
    for key, value in (metrics or {}).items():
        if not _is_number(value) or key.endswith("_id"):
            continue
        ref = reference.get(key)
        rows.append(
            {
                "key": key,
                "title": METRIC_TITLES.get(key, key),
                "value": value,
                "reference": ref if _is_number(ref) else None,
                "lower_is_better": key in LOWER_IS_BETTER,
            }
        )
    return rows


def _class_labels(evaluation, count):
    classes = evaluation.get("classes")
    if isinstance(classes, list) and len(classes) == count:
        return [str(label) for label in classes]
    return [str(i) for i in range(count)]


def _per_class(evaluation):
    accuracy = evaluation.get("per_class_accuracy")
    if isinstance(accuracy, list):
        accuracy = dict(zip(_class_labels(evaluation, len(accuracy)), accuracy, strict=True))
    if not isinstance(accuracy, dict):
        return []
    rows = [{"label": str(label), "value": value} for label, value in accuracy.items() if _is_number(value)]
    if rows:
        weakest = min(row["value"] for row in rows)
        for row in rows:
            row["percent"] = max(0.0, min(100.0, row["value"] * 100))
            row["weakest"] = row["value"] == weakest
    return rows


def _confusion(evaluation):
    matrix = evaluation.get("confusion_matrix")
    if not isinstance(matrix, list) or not matrix:
        return None
    size = len(matrix)
    if not all(isinstance(row, list) and len(row) == size and all(map(_is_number, row)) for row in matrix):
        return {"error": "The stored confusion matrix is not a square table of numbers."}
    labels = _class_labels(evaluation, size)
    rows = []
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        cells = [
            {
                "value": value,
                "column": labels[j],
                "diagonal": i == j,
                "strong": value / total >= 0.5,
                "alpha": round(min(1.0, max(0.0, value / total)), 3),
            }
            for j, value in enumerate(row)
        ]
        rows.append({"label": labels[i], "cells": cells})
    integers = all(float(value).is_integer() for row in matrix for value in row)
    return {"labels": labels, "rows": rows, "counts": integers}


def evaluation_view(final_evaluation, *, reference):
    """What the "final evaluation" section shows; None when the run has not been evaluated."""
    evaluation = final_evaluation if isinstance(final_evaluation, dict) else {}
    if not evaluation:
        return None
    stored_reference = evaluation.get("reference")
    reference = {**reference, **(stored_reference if isinstance(stored_reference, dict) else {})}
    metrics = evaluation.get("metrics") if isinstance(evaluation.get("metrics"), dict) else {}
    view = {
        "metrics": _metric_rows(metrics, reference),
        "per_class": _per_class(evaluation),
        "confusion": _confusion(evaluation),
        "note": str(evaluation.get("note") or ""),
    }
    if not any(view.values()):
        return None
    weakest = metrics.get("cond_acc_min_class_char")
    for row in view["metrics"]:
        if row["key"] == "cond_acc_min_class" and isinstance(weakest, str) and weakest:
            row["detail"] = f"class {weakest}"
    view["about"] = _about(evaluation)
    return view


def _about(evaluation):
    """One line on how the figures were obtained: sample size, evaluator, or the fallback used."""
    parts = []
    if _is_number(evaluation.get("n")):
        parts.append(f"{int(evaluation['n']):,} generated images")
    if isinstance(evaluation.get("evaluator"), str) and evaluation["evaluator"]:
        parts.append(f"read by the {evaluation['evaluator']} evaluator")
    if evaluation.get("source") == "last epoch":
        parts.append("figures of the last epoch (no full evaluation)")
    return ", ".join(parts)
