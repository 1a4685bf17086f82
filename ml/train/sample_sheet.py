"""python -m ml.train.sample_sheet --model PATH --out FILE.png [--per-class N] [--seed S]

A PNG with one row per class from a generator file: the picture a model card shows.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from PIL import Image


def sample_sheet(model_path, per_class: int = 12, seed: int = 0, scale: int = 2) -> Image.Image:
    from ml.generator import Generator
    from ml.train.grid import grid_png

    gen = Generator(model_path)
    ids = np.repeat(np.arange(gen.charset.n_classes, dtype=np.int32), per_class)
    import io

    img = Image.open(io.BytesIO(grid_png(gen.draw(ids, seed=seed), rows=gen.charset.n_classes)))
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.train.sample_sheet", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-class", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sample_sheet(args.model, args.per_class, args.seed).save(args.out, optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
