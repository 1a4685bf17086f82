"""Classification accuracy score (CAS): how useful a generator's glyphs are as training data.

Ravuri & Vinyals 2019, "Classification Accuracy Score for Conditional Generative
Models" (NeurIPS): train a classifier on generated images only, test it on the real
test set. A generator that draws only the easy, typical forms of each class scores
far below real data even when its glyphs look perfect; a label-blind one scores at
chance. Beside it, the same classifier, recipe and seed trained on as many real
training images (drawn class-balanced like the generated set) and on real +
generated together, so the figure reads against what real data gives.

The classifier is fixed: the evaluator's ``small`` net (``classifiers.build_small``,
about 11k parameters) trained from scratch with Adam and a cosine schedule for a
fixed number of epochs, no augmentation, no early stopping (the real test set is
only measured, never used to choose). Small and short so that one row takes
minutes on two CPU cores; the absolute accuracies are therefore below the
state of the art, the gaps between the rows are what the score is for.

``python -m ml.metrics.cas --model PATH [--model PATH ...]`` prints the table rows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ml.data.arrays import LabelledImages
from ml.metrics.cas_config import CasConfig

DEFAULT_CONFIG = CasConfig()


def balanced_subset(data: LabelledImages, per_class: int, seed: int) -> LabelledImages:
    """Up to ``per_class`` images of every class, chosen with ``seed`` (all of a class that has fewer)."""
    rng = np.random.default_rng([seed, 3])
    rows = [rng.permutation(np.flatnonzero(data.labels == c))[:per_class] for c in range(data.charset.n_classes)]
    return data.subset(np.sort(np.concatenate(rows)))


def train_classifier(train: LabelledImages, config: CasConfig):
    """The fixed CAS classifier trained on ``train``; returns (model, seconds)."""
    import keras

    from ml.metrics.classifiers import build

    keras.utils.set_random_seed(config.seed)
    model = build(config.arch, train.charset.n_classes)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = config.bn_momentum
    steps = int(np.ceil(len(train) / config.batch_size)) * config.epochs
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, max(steps, 1), alpha=0.01)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy")
    order = np.random.default_rng([config.seed, 4]).permutation(len(train))
    x = (train.images[order].astype(np.float32) / np.float32(255.0))[..., None]
    t0 = time.perf_counter()
    model.fit(x, train.labels[order], batch_size=config.batch_size, epochs=config.epochs, shuffle=True, verbose=0)
    return model, time.perf_counter() - t0


def accuracy_on(model, test: LabelledImages) -> dict:
    from ml.metrics import core

    probs = model.predict((test.images.astype(np.float32) / np.float32(255.0))[..., None], batch_size=1000, verbose=0)
    k = test.charset.n_classes
    per_class = core.per_class_accuracy(probs, test.labels, k)
    worst = int(np.nanargmin(per_class))
    return {"accuracy": round(float(core.conditioning_accuracy(probs, test.labels)), 4),
            "accuracy_balanced": round(float(core.conditioning_accuracy(probs, test.labels,
                                                                        core.balanced_weights(test.labels, k))), 4),
            "weakest_class": test.charset.char_of(worst), "weakest_class_accuracy": round(float(per_class[worst]), 4)}


def _trained_row(train: LabelledImages, test: LabelledImages, config: CasConfig) -> dict:
    model, seconds = train_classifier(train, config)
    return {"train_images": len(train), **accuracy_on(model, test), "train_seconds": round(seconds, 1)}


def cas_rows(generated: LabelledImages, real_train: LabelledImages, real_test: LabelledImages,
             config: CasConfig = DEFAULT_CONFIG, *, with_real: bool = True, progress=None) -> dict:
    """{"generated", "real", "real_plus_generated"} rows of the same classifier, each tested on ``real_test``."""
    if not (generated.charset == real_train.charset == real_test.charset):
        raise ValueError("generated, real train and real test images must share one charset")
    rows = {"generated": _trained_row(generated, real_test, config)}
    if progress:
        progress(1, 3)
    if with_real:
        real = balanced_subset(real_train, config.per_class, config.seed)
        rows["real"] = _trained_row(real, real_test, config)
        if progress:
            progress(2, 3)
        both = LabelledImages(np.concatenate([real.images, generated.images]),
                              np.concatenate([real.labels, generated.labels]).astype(np.int32), real.charset)
        rows["real_plus_generated"] = _trained_row(both, real_test, config)
    if progress:
        progress(3, 3)
    return rows


def score_generator(generator_path, config: CasConfig = DEFAULT_CONFIG, *, data_root=None, with_real: bool = True,
                    progress=None, generator=None) -> dict:
    """The CAS of one generator against the real test set of its charset, with what was used to get it."""
    from ml.export.draw import draw_set
    from ml.export.plan import labels_for, uniform_counts
    from ml.generator import Generator
    from ml.metrics.data import DESCRIPTIONS, real_sets
    from ml.provenance import device_description, git_commit, package_versions

    generator = generator or Generator(generator_path)
    charset = generator.charset
    if charset.name not in DESCRIPTIONS:
        raise LookupError(f"no real test set for charset {charset.name!r}; CAS needs one")
    sets = real_sets(charset.name, data_root)
    if sets["test"].charset != charset:
        raise LookupError(f"the real {charset.name} set's classes differ from the generator's")
    labels = labels_for(uniform_counts(charset.n_classes, config.per_class), config.seed)
    drawn = draw_set(generator, labels, seed=config.seed)
    generated = LabelledImages(drawn.images, labels, charset)
    t0 = time.perf_counter()
    rows = cas_rows(generated, sets["train"], sets["test"], config, with_real=with_real, progress=progress)
    backend, device = device_description()
    return {
        "method": "CAS (Ravuri & Vinyals 2019): classifier trained on generated images, tested on real ones",
        "charset": charset.name, "real_test_set": DESCRIPTIONS[charset.name], "real_test_images": len(sets["test"]),
        "config": asdict(config), "rows": rows, "seconds": round(time.perf_counter() - t0, 1),
        "backend": backend, "device": device, "versions": package_versions(), "git_commit": git_commit(),
    }


def format_table(results: list[tuple[str, dict]]) -> str:
    """Markdown rows: one per generator, plus the real-data row of each charset once."""
    lines = ["| charset | training set | train images | CAS accuracy | class-balanced | weakest class | "
             "real + generated (balanced) |", "|---|---|---|---|---|---|---|"]
    shown_real = set()
    for name, result in results:
        rows, cs = result["rows"], result["charset"]
        if "real" in rows and cs not in shown_real:
            shown_real.add(cs)
            r = rows["real"]
            lines.append(f"| {cs} | real (class-balanced sample) | {r['train_images']:,} | {r['accuracy']:.4f} | "
                         f"{r['accuracy_balanced']:.4f} | {r['weakest_class']} {r['weakest_class_accuracy']:.3f} | - |")
        g = rows["generated"]
        both = rows.get("real_plus_generated")
        mixed = f"{both['accuracy_balanced']:.4f} ({both['train_images']:,} images)" if both else "-"
        lines.append(f"| {cs} | {name} | {g['train_images']:,} | {g['accuracy']:.4f} | {g['accuracy_balanced']:.4f} | "
                     f"{g['weakest_class']} {g['weakest_class_accuracy']:.3f} | {mixed} |")
    return "\n".join(lines)


def cpu_description() -> str:
    import os
    import platform

    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or platform.machine()
    return f"{model}, {os.cpu_count()} cores"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.metrics.cas", description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="generator (repeat for several)")
    parser.add_argument("--name", action="append", help="label of each --model in the table (default: folder)")
    parser.add_argument("--per-class", type=int, default=CasConfig.per_class)
    parser.add_argument("--epochs", type=int, default=CasConfig.epochs)
    parser.add_argument("--seed", type=int, default=CasConfig.seed)
    parser.add_argument("--data-root", help="datasets folder (default: HANDGEN_DATA_ROOT or ../shared/datasets)")
    parser.add_argument("--json", help="also write every result here")
    args = parser.parse_args(argv)
    names = args.name or []
    config = CasConfig(per_class=args.per_class, epochs=args.epochs, seed=args.seed)
    results = []
    for i, model in enumerate(args.model):
        name = names[i] if i < len(names) else Path(model).resolve().parent.name
        try:
            result = score_generator(model, config, data_root=args.data_root)
        except (LookupError, FileNotFoundError, ValueError) as exc:
            print(f"error: {model}: {exc}", file=sys.stderr)
            return 2
        results.append((name, result))
        print(f"{name}: {json.dumps(result['rows'])} ({result['seconds']:.0f} s)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(dict(results), indent=2))
    first = results[0][1]
    print(f"\nCAS: {first['method']}; fixed classifier {config.arch}, {config.epochs} epochs, "
          f"{config.per_class:,} images per class, seed {config.seed}; {first['backend']} on {first['device']} "
          f"({cpu_description()})\n")
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
