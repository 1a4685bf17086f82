"""python -m ml.evaluate --model PATH [--n 10000] [--seed S] [--json OUT]

Prints every generation-quality metric of an exported generator with the
real-data reference beside it (the logic is ml.metrics.report).
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="exported generator folder (or its model.keras)")
    parser.add_argument("--n", type=int, default=10_000, help="images to draw, spread evenly over the classes")
    parser.add_argument("--seed", type=int, default=0, help="latent noise seed")
    parser.add_argument("--json", help="also write the full result as JSON here")
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("--n must be at least 2")
    from ml.metrics.report import evaluate_generator, format_report

    try:
        result = evaluate_generator(args.model, n=args.n, seed=args.seed)
    except (FileNotFoundError, LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(result))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
