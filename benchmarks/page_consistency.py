"""How consistent a page of generated handwriting is, against pages composed from real glyphs.

For each way of writing a page, the same texts are written with several style seeds
and every page is measured on its pixels (``ml.render.measure``): the spread of
stroke width (coefficient of variation, from the distance transform along the ink's
centre line), of slant (standard deviation in degrees, from the ink's moments) and
of glyph height against its class's height, plus the count of specks (ink components
that are not part of their character). Medians over the pages are printed.

Ways of writing a page:
- ``two-generators raw``: today's default pair (digits + letters-cased v2), each glyph
  as drawn (``uniform=False``): what a fresh install drew before the one-pen page.
- ``two-generators uniform``: the same glyphs with one pen width and slant per page.
- ``alnum raw`` / ``alnum uniform``: the one alphanumeric generator, both ways.
- ``real near``: real test glyphs (MNIST + EMNIST letters pool) chosen per character as
  the ones nearest in stroke width and slant to one random real glyph; the datasets
  carry no writer ids, so this is the most consistent page real data can give, a
  stand-in for "one EMNIST source". ``real random``: real glyphs of any writer.

    .venv/bin/python benchmarks/page_consistency.py [--seeds 8] [--alnum PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXTS = (
    "The Quick brown Fox jumps over the lazy dog, really. 2026 and 13 fives: 0123456789.",
    "Hello world, illicit little feet walk in 1999; Jim quickly packed 47 boxes of fine gravel.",
    "Sphinx of black quartz, judge my vow. Call 555 0192 before 8 pm and ask for Mr Wolf.",
)
FIGURES = ("stroke_width_cv", "slant_std", "height_cv", "specks")
PRETRAINED = ROOT / "ml" / "pretrained"


def _generator_pages(drawers: dict, seeds: int, uniform: bool) -> list[dict]:
    from ml.render import RenderOptions, layout_text
    from ml.render.measure import measure_glyphs, page_spread
    from ml.writer import write_glyphs

    out = []
    for seed in range(seeds):
        for text in TEXTS:
            sheet = write_glyphs(text, drawers, seed=seed)
            layout = layout_text(text, sheet.glyphs, RenderOptions(width=1400, seed=seed, uniform=uniform))
            out.append(page_spread(measure_glyphs(layout)))
    return out


def _real_pages(seeds: int, near: bool) -> list[dict]:
    from ml.data.sources import load_named
    from ml.render import RenderOptions, layout_text, stroke_width
    from ml.render.measure import measure_glyphs, page_spread
    from ml.render.pen import glyph_slant

    test = load_named("alnum-cased")["test"]
    cs = test.charset
    wanted = sorted({cs.class_of(ch) for text in TEXTS for ch in text if cs.covers(ch)})
    style = {}
    for c in wanted:
        idx = np.flatnonzero(test.labels == c)
        style[c] = (idx, np.array([[stroke_width(test.images[i]), glyph_slant(test.images[i] / 255.0)] for i in idx]))
    every = np.concatenate([f for _, f in style.values()])
    spread = every.std(axis=0)
    rng = np.random.default_rng(0)
    out = []
    for seed in range(seeds):
        anchor = every[rng.integers(len(every))]
        for text in TEXTS:
            glyphs, used = [], set()
            for ch in text:
                c = cs.class_of(ch) if cs.covers(ch) else None
                if c is None:
                    glyphs.append(None)
                    continue
                idx, feats = style[c]
                if near:
                    order = np.argsort((((feats - anchor) / spread) ** 2).sum(axis=1))
                    pick = next(idx[k] for k in order if idx[k] not in used)
                else:
                    pick = int(rng.choice(idx))
                used.add(pick)
                glyphs.append(test.images[pick])
            layout = layout_text(text, glyphs, RenderOptions(width=1400, seed=seed, uniform=False))
            out.append(page_spread(measure_glyphs(layout)))
    return out


def _medians(pages: list[dict]) -> dict:
    return {k: statistics.median(p[k] for p in pages) for k in FIGURES}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="style seeds per text (pages = seeds × 3)")
    parser.add_argument("--alnum", default=str(PRETRAINED / "alnum-cased-cgan-strong-v2" / "generator.keras"))
    args = parser.parse_args(argv)
    from ml.generator import Generator

    pair = {name: Generator(PRETRAINED / folder / "generator.keras")
            for name, folder in (("digits", "digits-cgan-strong-v2"), ("letters-cased", "letters-cased-cgan-strong-v2"))}
    rows = {
        "real near (one-style stand-in)": _real_pages(args.seeds, near=True),
        "real random (many writers)": _real_pages(args.seeds, near=False),
        "two-generators raw (before)": _generator_pages(pair, args.seeds, uniform=False),
        "two-generators uniform": _generator_pages(pair, args.seeds, uniform=True),
    }
    if Path(args.alnum).exists():
        alnum = {"alnum-cased": Generator(args.alnum)}
        rows["alnum raw"] = _generator_pages(alnum, args.seeds, uniform=False)
        rows["alnum uniform (default)"] = _generator_pages(alnum, args.seeds, uniform=True)
    reference = _medians(rows["real near (one-style stand-in)"])
    print(f"{len(TEXTS) * args.seeds} pages per row; medians over pages; ratio = figure / real near\n")
    print(f"{'page':34} {'stroke w. CV':>13} {'ratio':>6} {'slant std°':>11} {'ratio':>6} {'height CV':>10} "
          f"{'specks/page':>12}")
    for name, pages in rows.items():
        m = _medians(pages)
        print(f"{name:34} {m['stroke_width_cv']:13.3f} {m['stroke_width_cv'] / reference['stroke_width_cv']:6.2f} "
              f"{m['slant_std']:11.2f} {m['slant_std'] / reference['slant_std']:6.2f} {m['height_cv']:10.3f} "
              f"{m['specks']:12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
