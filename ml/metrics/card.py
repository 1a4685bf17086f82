"""CARD.md for an evaluator folder: what it was trained on, how well it reads the real test set."""

from __future__ import annotations

from pathlib import Path


def confusion_markdown(classes, confusion) -> str:
    """Rows: true class; columns: predicted class; the diagonal is left out (shown as '.') so errors stand out."""
    head = "| true \\ read | " + " | ".join(classes) + " |"
    sep = "|" + "---|" * (len(classes) + 1)
    rows = []
    for i, (name, row) in enumerate(zip(classes, confusion, strict=True)):
        cells = ["." if j == i else (str(v) if v else "") for j, v in enumerate(row)]
        rows.append(f"| **{name}** ({row[i]}/{sum(row)}) | " + " | ".join(cells) + " |")
    return "\n".join([head, sep, *rows])


def write_card(path, meta: dict, confusion) -> None:
    classes = meta["charset"]["classes"]
    per_class = meta["per_class_accuracy"]
    worst = sorted((v, k) for k, v in per_class.items() if v is not None)[:5]
    lines = [
        f"# Evaluator: {meta['charset']['name']} ({len(classes)} classes)",
        "",
        "A classifier that HandGen's generation metrics use to read generated glyphs "
        "(conditioning accuracy, IS, BCIS, WCIS) and whose penultimate layer (`features`) "
        "is the space FID is measured in. See `ml/metrics/README.md`.",
        "",
        "## Model",
        f"- architecture: `{meta['architecture']}` (`ml/metrics/classifiers.py`), {meta['params']:,} parameters",
        "- input: (28, 28, 1) float32 in [0, 1], white ink on black, upright; output: softmax over the classes",
        f"- classes: {' '.join(classes)}",
        "",
        "## Data",
        f"- {meta['data']}",
        f"- trained on {meta['train_images']:,} real training images; measured on {meta['test_images']:,} "
        "real test images, never used for any choice during training (fixed epochs, no early stopping)",
        "",
        "## Training",
        f"- seed {meta['seed']}, {meta['epochs']} epochs, batch {meta['batch_size']}, Adam with cosine decay "
        f"from {meta['learning_rate']}, {meta['sampling']}, augmentation: {meta['augmentation']}",
        f"- {meta['train_seconds']:.0f} s on {meta['device']} ({meta['backend']} backend), "
        + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        f"- reproduce: `{meta['command']}`",
        "",
        "## Accuracy on the real test set",
        f"- accuracy: **{meta['test_accuracy']:.4f}** ({meta['test_images']:,} images)",
        f"- class-balanced accuracy (mean of per-class accuracies): {meta['test_accuracy_balanced']:.4f}",
        "- weakest classes: " + ", ".join(f"{k} {v:.3f}" for v, k in worst),
        "",
        "| class | " + " | ".join(classes) + " |",
        "|" + "---|" * (len(classes) + 1),
        "| accuracy | " + " | ".join("-" if per_class[c] is None else f"{per_class[c]:.3f}" for c in classes) + " |",
        "",
        "## Confusion matrix (real test set)",
        "",
        confusion_markdown(classes, confusion),
        "",
    ]
    Path(path).write_text("\n".join(lines))
