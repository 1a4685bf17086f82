"""python -m ml.train --config FILE.json --out DIR [--resume]"""

from __future__ import annotations

import argparse
import json
import sys

from ml.train.config import ConfigError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.train", description="Train a HandGen GAN.")
    parser.add_argument("--config", required=True, help="JSON config (see ml/configs/)")
    parser.add_argument("--out", required=True, help="run folder: checkpoints, metrics, grids, exported generator")
    parser.add_argument("--resume", action="store_true", help="continue from the last complete checkpoint in --out")
    parser.add_argument("--epochs", type=int, help="override the config's epochs (e.g. to extend a run)")
    parser.add_argument("--no-eval", action="store_true", help="skip the per-epoch evaluator metrics")
    args = parser.parse_args(argv)
    with open(args.config) as fh:
        cfg = json.load(fh)
    if args.epochs:
        cfg["epochs"] = args.epochs
    from ml.train.loop import train

    evaluator = None
    if not args.no_eval:
        from ml.train.evaluation import default_epoch_evaluator

        evaluator = default_epoch_evaluator()
    try:
        summary = train(cfg, args.out, resume=args.resume, evaluator=evaluator, progress=True)
    except ConfigError as exc:
        print(f"invalid config: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=2, default=str))
    return 0 if summary["status"] == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
