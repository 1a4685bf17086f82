"""python -m ml.write "text" --out page.png: handwriting from the command line, without the web site.

Uses the generators shipped as defaults in ml/pretrained (or the ``--generator``
files given) and their shipped evaluators for the redraw check, exactly as the
site's worker does; the render options are the ones the Generate page offers
(``ml.render.options.OPTION_SPECS``), so the same text, seed and options give
the same bytes here and on the site.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ml.render.options import OPTION_SPECS, USER_OPTIONS

PRETRAINED = Path(__file__).resolve().parent / "pretrained"


def default_generator_paths(directory: Path = PRETRAINED) -> list[Path]:
    """The generators whose manifest marks them as a default, as the site registers them."""
    found = []
    for manifest in sorted(directory.glob("*/manifest.json")):
        data = json.loads(manifest.read_text())
        if data.get("kind") == "generator" and data.get("default"):
            found.append(manifest.parent / data["weights"])
    return found


def _option_arguments(parser: argparse.ArgumentParser) -> None:
    for name in USER_OPTIONS:
        spec = OPTION_SPECS[name]
        flag = "--" + name.replace("_", "-")
        if spec.kind == "flag":
            parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=spec.help)
        else:
            kind = {"int": int, "real": float}.get(spec.kind, str)
            parser.add_argument(flag, dest=name, type=kind, default=None, help=spec.help)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.write", description="Write text in generated handwriting.")
    parser.add_argument("text", help="the text; \\n in it starts a new line")
    parser.add_argument("--out", required=True, help="output file: .png or .svg")
    parser.add_argument("--seed", type=int, default=0, help="style seed: the same seed, the same hand")
    parser.add_argument("--generator", action="append", help="a generator.keras (repeatable); default: the shipped "
                        "default generators")
    parser.add_argument("--no-check", action="store_true", help="do not read glyphs back with the evaluators")
    _option_arguments(parser)
    args = parser.parse_args(argv)
    options = {name: getattr(args, name) for name in USER_OPTIONS if getattr(args, name) is not None}
    text = args.text.replace("\\n", "\n")

    from ml.generator import Generator
    from ml.metrics.evaluator import SCORING_EVALUATOR, shipped_evaluator
    from ml.page import write_page

    paths = [Path(p) for p in args.generator] if args.generator else default_generator_paths()
    if not paths:
        print("no generator: pass --generator PATH or ship a default in ml/pretrained", file=sys.stderr)
        return 2
    drawers = {}
    for path in paths:
        gen = Generator(path)
        drawers[gen.charset.name] = gen
    readers = {} if args.no_check else {
        name: shipped_evaluator(SCORING_EVALUATOR.get(name, name)) for name in drawers}  # fmt: skip
    try:
        page = write_page(text, drawers, seed=args.seed, options=options, readers=readers)
    except ValueError as error:
        print(f"cannot write this: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.write_bytes(page.svg().encode() if out.suffix.lower() == ".svg" else page.png())
    misread = sum(1 for s in page.sheet.slots if not s.accepted)
    print(f"{out}: {page.layout.width}×{page.layout.height} px, {len(page.sheet.slots)} glyphs drawn, "
          f"{misread} still failing the check after every redraw; generators: {', '.join(sorted(drawers))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
