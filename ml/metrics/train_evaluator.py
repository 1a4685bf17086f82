"""python -m ml.metrics.train_evaluator --charset {digits,letters,alnum,letters-cased} --out DIR

Trains one evaluator classifier on the real training set with a fixed seed,
measures it on the real test set (never used for any choice during training:
fixed epochs, no early stopping) and writes the folder that ``Evaluator``
loads: model.keras, model.json, CARD.md and real_stats.npz.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_SEED = 7
# Per-charset recipe: letters use the strong net because the small one stops short of it
# on the letters pool (figures in ml/metrics/README.md and each evaluator's CARD.md).
# ``epoch_images`` caps an epoch of the big union set.
RECIPES = {
    "digits": {"arch": "small", "epochs": 6, "learning_rate": 3e-3},
    "letters": {"arch": "strong", "epochs": 6, "learning_rate": 3e-3},
    "letters-cased": {"arch": "strong", "epochs": 6, "learning_rate": 3e-3},
    "alnum": {"arch": "strong", "epochs": 3, "learning_rate": 3e-3, "epoch_images": 120_000},
}
BATCH_SIZE = 128
MAX_SHIFT = 2  # pixels of random translation per axis


class BalancedShiftedBatches:
    """Class-balanced, shuffled batches, each image moved by a random whole-pixel shift (|dx|, |dy| <= MAX_SHIFT).

    Balanced: every epoch draws the same number of images of each class (a class with
    too few repeats some), so the evaluator's prior is uniform, matching generators
    that draw every class equally often and the class-balanced metric convention;
    trained on the pool's English letter frequencies it would lean towards frequent
    letters (e.g. reading a doubtful i/l as l). Shifted: handwriting sits a little
    off-centre and so do generated glyphs; a shift is the one augmentation that costs
    nothing on a CPU shared with GAN training (Keras' rotation/zoom layers tripled the
    step time of the small net).
    """

    def __init__(self, images, labels, batch_size: int, seed: int, epoch_images: int | None = None):
        self.labels, self.batch_size = labels, batch_size
        self.rng = np.random.default_rng(seed)
        self.padded = np.pad(images, ((0, 0), (MAX_SHIFT, MAX_SHIFT), (MAX_SHIFT, MAX_SHIFT)))
        self.by_class = [np.flatnonzero(labels == c) for c in np.unique(labels)]
        self.per_class = (epoch_images or len(labels)) // len(self.by_class)

    def __len__(self) -> int:
        return math.ceil(self.per_class * len(self.by_class) / self.batch_size)

    def _epoch_rows(self) -> np.ndarray:
        picks = []
        for rows in self.by_class:
            rows = self.rng.permutation(rows)
            extra = self.rng.choice(rows, max(0, self.per_class - len(rows)))
            picks.append(np.concatenate([rows[:self.per_class], extra]))
        return self.rng.permutation(np.concatenate(picks))

    def epoch(self):
        order = self._epoch_rows()
        for i in range(len(self)):
            rows = order[i * self.batch_size:(i + 1) * self.batch_size]
            shifts = self.rng.integers(0, 2 * MAX_SHIFT + 1, size=(len(rows), 2))
            batch = np.empty((len(rows), 28, 28, 1), np.float32)
            for j, (r, (dy, dx)) in enumerate(zip(rows, shifts, strict=True)):
                batch[j, ..., 0] = self.padded[r, dy:dy + 28, dx:dx + 28]
            yield batch / np.float32(255.0), self.labels[rows]


def fit(train, *, arch: str, epochs: int, learning_rate: float, seed: int, epoch_images: int | None = None,
        batch_size: int = BATCH_SIZE, verbose: int = 2):
    """Train a fresh classifier on ``train`` (LabelledImages); return (model, seconds)."""
    import keras

    from ml.metrics.classifiers import build

    keras.utils.set_random_seed(seed)
    model = build(arch, train.charset.n_classes)
    batches = BalancedShiftedBatches(train.images, train.labels, batch_size, seed, epoch_images)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * len(batches), alpha=0.01)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t1, seen, loss_sum, hit_sum = time.perf_counter(), 0, 0.0, 0.0
        for x, y in batches.epoch():
            model.reset_metrics()  # so that logs hold this batch's values alone
            logs = model.train_on_batch(x, y, return_dict=True)
            seen += len(y)
            loss_sum += float(logs["loss"]) * len(y)
            hit_sum += float(logs["accuracy"]) * len(y)
        if verbose:
            print(f"epoch {epoch}/{epochs}: loss {loss_sum / seen:.4f}, train accuracy {hit_sum / seen:.4f}, "
                  f"{time.perf_counter() - t1:.0f} s", flush=True)
    return model, time.perf_counter() - t0


def save_without_optimizer(model, path) -> None:
    """Weights and graph only: Adam's two moment slots would triple the shipped file for nothing."""
    import keras

    clean = keras.Model.from_config(model.get_config())  # (clone_model kept the optimizer attached)
    clean.set_weights(model.get_weights())
    clean.save(path)


def measure(evaluator, test) -> dict:
    """Accuracy of ``evaluator`` on the real test set, with per-class accuracy and confusion matrix."""
    from ml.metrics import core

    probs = evaluator.probs(test.images)
    k = test.charset.n_classes
    per_class = core.per_class_accuracy(probs, test.labels, k)
    return {
        "test_images": len(test),
        "test_accuracy": core.conditioning_accuracy(probs, test.labels),
        "test_accuracy_balanced": core.conditioning_accuracy(probs, test.labels,
                                                             core.balanced_weights(test.labels, k)),
        "per_class_accuracy": {test.charset.char_of(i): (None if np.isnan(a) else float(a))
                               for i, a in enumerate(per_class)},
        "confusion": core.confusion_matrix(probs, test.labels, k).tolist(),
    }


def train_evaluator(charset_name: str, out, *, seed: int = DEFAULT_SEED, epochs: int | None = None,
                    arch: str | None = None, data_root=None, verbose: int = 2) -> dict:
    from ml.metrics.card import write_card
    from ml.metrics.data import DESCRIPTIONS, real_sets
    from ml.metrics.evaluator import Evaluator
    from ml.metrics.realstats import FILENAME, test_set_stats
    from ml.provenance import device_description, package_versions

    recipe = {**RECIPES[charset_name], **({"epochs": epochs} if epochs else {}), **({"arch": arch} if arch else {})}
    sets = real_sets(charset_name, data_root)
    model, seconds = fit(sets["train"], seed=seed, verbose=verbose, **recipe)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_without_optimizer(model, out / "model.keras")
    backend, device = device_description()
    meta = {
        "format": "handgen-evaluator/1",
        "charset": sets["train"].charset.to_dict(),
        "architecture": recipe["arch"],
        "params": int(model.count_params()),
        "seed": seed,
        "epochs": recipe["epochs"],
        "batch_size": BATCH_SIZE,
        "learning_rate": recipe["learning_rate"],
        "augmentation": f"random whole-pixel shifts up to {MAX_SHIFT} px per axis",
        "sampling": "class-balanced epochs of "
                    f"{(recipe.get('epoch_images') or len(sets['train'])) // sets['train'].charset.n_classes:,} "
                    "images per class",
        "data": DESCRIPTIONS[charset_name],
        "train_images": len(sets["train"]),
        "train_seconds": round(seconds, 1),
        "backend": backend,
        "device": device,
        "versions": package_versions(),
        "command": f"python -m ml.metrics.train_evaluator --charset {charset_name} --out {out} --seed {seed}",
    }
    (out / "model.json").write_text(json.dumps(meta, indent=2))
    evaluator = Evaluator(out)
    meta.update(measure(evaluator, sets["test"]))
    test_set_stats(evaluator, sets["test"]).save(out / FILENAME)
    confusion = meta.pop("confusion")
    (out / "model.json").write_text(json.dumps(meta, indent=2))
    write_card(out / "CARD.md", meta, confusion)
    return meta


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.metrics.train_evaluator", description=__doc__.splitlines()[0])
    parser.add_argument("--charset", required=True, choices=sorted(RECIPES))
    parser.add_argument("--out", required=True, help="folder to write (e.g. ml/pretrained/evaluators/digits)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    parser.add_argument("--arch", choices=("small", "strong"), help="override the recipe's architecture")
    parser.add_argument("--data-root", help="datasets folder (default: ml.data.sources.default_data_root())")
    args = parser.parse_args(argv)
    try:
        meta = train_evaluator(args.charset, args.out, seed=args.seed, epochs=args.epochs, arch=args.arch,
                               data_root=args.data_root)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.charset}: {meta['architecture']} ({meta['params']:,} params), test accuracy "
          f"{meta['test_accuracy']:.4f} (balanced {meta['test_accuracy_balanced']:.4f}) on {meta['test_images']:,} "
          f"real test images, {meta['train_seconds']:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
