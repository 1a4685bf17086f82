"""python -m ml.sample --model PATH --per-class N --seed S --out FILE.npz

Writes ``images`` (uint8, (N, 28, 28), white ink on black, upright) and ``labels``
(the requested characters as strings), every class of the model's charset N times.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np


def sample(model_path, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from ml.generator import Generator

    gen = Generator(model_path)
    ids = np.repeat(np.arange(gen.charset.n_classes, dtype=np.int32), per_class)
    images = gen.draw(ids, seed=seed)
    labels = np.array([gen.charset.char_of(i) for i in ids])
    return images, labels


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.sample", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.per_class < 1:
        parser.error("--per-class must be at least 1")
    try:
        images, labels = sample(args.model, args.per_class, args.seed)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    np.savez_compressed(args.out, images=images, labels=labels)
    print(f"wrote {len(images)} images of {len(set(labels.tolist()))} classes to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
