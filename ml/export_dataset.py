"""python -m ml.export_dataset --model PATH --out FILE.zip --format {idx,npz,png} (--per-class N | --total N --like SET)

Draws a synthetic character set with a generator and writes it as one ZIP with a
README and a manifest (see ml/export/files.py for the layout). ``--like`` copies the
class proportions of a real training set: digits (MNIST), letters or letters-cased
(the EMNIST letters pool).
"""

from __future__ import annotations

import argparse
import sys
import time

from ml.export.plan import FORMATS, MAX_REDRAWS, MAX_TOTAL_IMAGES, ExportRequestError


def real_histogram(name: str, data_root=None) -> dict[str, int]:
    from ml.metrics.data import real_sets

    return real_sets(name, data_root)["train"].histogram()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.export_dataset", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="generator folder or .keras file")
    parser.add_argument("--out", required=True, help="ZIP file to write")
    parser.add_argument("--format", choices=FORMATS, default="idx")
    parser.add_argument("--per-class", type=int, help="images of every class")
    parser.add_argument("--total", type=int, help=f"images in all (with --like; at most {MAX_TOTAL_IMAGES:,})")
    parser.add_argument("--like", choices=("digits", "letters", "letters-cased"),
                        help="copy the class proportions of this real training set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reject", action="store_true", help="redraw glyphs the shipped evaluator misreads")
    parser.add_argument("--max-redraws", type=int, default=MAX_REDRAWS)
    parser.add_argument("--data-root", help="datasets folder for --like")
    args = parser.parse_args(argv)
    if (args.per_class is None) == (args.like is None) or (args.like and args.total is None):
        parser.error("give --per-class N, or --total N with --like SET")
    t0 = time.perf_counter()
    try:
        histogram = real_histogram(args.like, args.data_root) if args.like else None
        manifest = _export(args, histogram)
    except (ExportRequestError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {manifest['total']:,} images of {len(manifest['counts'])} classes ({args.format}) to {args.out} "
          f"in {time.perf_counter() - t0:.1f} s (drawing {manifest['draw_seconds']:.1f} s)")
    if manifest["rejection"]:
        r = manifest["rejection"]
        print(f"rejection by the {r['evaluator']} evaluator: {r['rejected_first_draw']:,} refused on the first "
              f"draw, {r['redrawn']:,} redraws, {r['kept_although_rejected']:,} kept after the last try")
    return 0


def _export(args, histogram):
    from ml.export.build import export_dataset

    return export_dataset(args.model, args.out, fmt=args.format, seed=args.seed, per_class=args.per_class,
                          histogram=histogram, total=args.total, proportions_from=args.like or "",
                          reject=args.reject, max_redraws=args.max_redraws)


if __name__ == "__main__":
    sys.exit(main())
