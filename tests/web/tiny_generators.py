"""Tiny but valid generators for tests and benchmarks: real exports that load and draw in a
fraction of a shipped generator's time.

Run in a subprocess (``python -m tests.web.tiny_generators OUT``) so the pytest
process never imports TensorFlow. Digits come from two training steps on the
synthetic "fixture" dataset; letters-cased is exported untrained for the
41-class case-aware charset (training it too would double the set-up time for
nothing the web side can tell apart): a real export with the right charset,
latent size and metadata, which is all the web side relies on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def config(*, width: int, steps: int) -> dict:
    return {
        "architecture": "cgan-strong", "dataset": "fixture", "epochs": 1, "steps_per_epoch": steps,
        "batch_size": 8, "log_every": steps, "latent_dim": 64, "g_width": width, "d_width": width,
        "grid_per_class": 1, "eval_images": 0,
    }  # fmt: skip


def build(out_dir, *, width: int = 8) -> dict[str, str]:
    """Train both generators into ``out_dir``; return {charset: path of model.keras}."""
    from ml.data.charset import letters_cased
    from ml.train.config import validate_config
    from ml.train.export import export_generator
    from ml.train.gan import Gan
    from ml.train.loop import train

    out_dir = Path(out_dir)
    paths = {}
    digits = train(config(width=width, steps=2), out_dir / "digits")
    paths["digits"] = str(Path(digits["generator"]) / "model.keras")
    cased, cfg = letters_cased(), validate_config(config(width=width, steps=1))
    folder = export_generator(Gan(cfg, cased.n_classes), cfg, cased, out_dir / "letters-cased" / "generator")
    paths["letters-cased"] = str(folder / "model.keras")
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder to train into")
    parser.add_argument("--width", type=int, default=8, help="g_width/d_width (shipped generators use 48)")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.out, width=args.width)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
