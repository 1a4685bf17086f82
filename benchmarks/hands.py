"""A user's own hand, end to end on real held-out glyphs: sheet photo -> extraction -> adaptation -> writing.

There are no writer ids in MNIST's test set or the EMNIST letters pool, so "one
person's hand" is stood in for by one *style group* of held-out test glyphs: per
class, the quarter with the widest strokes (``ml.data.normalise.stroke_width``), a
bold pen the default generators, trained on all widths, do not draw on average.
Two glyphs per letter and digit are pasted into the template (``ml.hands.sheet_image``),
the sheet is "printed and photographed" in simulation (perspective, blur, uneven
light, noise, JPEG: ``ml.hands.simulate``), then read by the same extractor as uploads.

Measures:
- extraction: share of filled boxes whose glyph is recovered and read as its label by
  the scoring evaluator (digits; letters case merged), next to the same evaluator on
  the pasted originals (so evaluator errors are not blamed on the extractor);
- likeness: per class, the distance between the mean evaluator feature of 100 drawn
  glyphs and that of the style group's other held-out glyphs (not the pasted ones), for
  the adapted hand and for the default generator;
- legibility: conditioning accuracy of the adapted generators on the learned classes;
- time of the adaptation on this machine.

    .venv/bin/python benchmarks/hands.py [--steps 300] [--out var/benchmarks/hands]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.data_pipeline import hardware  # noqa: E402

PRETRAINED = Path(__file__).resolve().parents[1] / "ml" / "pretrained"
GENERATORS = {"digits": PRETRAINED / "digits-cgan-strong-v2" / "generator.keras",
              "letters-cased": PRETRAINED / "letters-cased-cgan-strong-v2" / "generator.keras"}
SCORER = {"digits": "digits", "letters-cased": "letters"}


def style_group(images, labels, n_classes, rng):
    """Per class: the widest-stroke quarter of held-out glyphs, shuffled (two go on the sheet)."""
    from ml.data.normalise import stroke_width

    widths = np.array([stroke_width(img / 255.0) for img in images])
    group = {}
    for c in range(n_classes):
        rows = np.flatnonzero(labels == c)
        if len(rows) < 12:
            continue
        cut = np.percentile(widths[rows], 75)
        group[c] = rng.permutation(rows[widths[rows] >= cut])
    return group


def widths(images) -> float:
    from ml.data.normalise import stroke_width

    return float(np.mean([stroke_width(img / 255.0) for img in images]))


def sheet_chars(charset):
    """Which template boxes a class fills: its own character, plus the small form of shared-case letters."""
    out = {}
    for c in range(charset.n_classes):
        ch = charset.char_of(c)
        boxes = [ch]
        if charset.name == "letters-cased" and ch.isupper() and charset.class_of(ch.lower()) == c:
            boxes.append(ch.lower())
        out[c] = boxes
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="var/benchmarks/hands")
    parser.add_argument("--config", default="{}", help="JSON overrides of ml.hands.adapt.DEFAULTS")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import cv2

    from ml.data.sources import load_letters_pool, load_mnist
    from ml.generator import Generator
    from ml.hands.adapt import adapt_generator
    from ml.hands.extract import extract_sheet
    from ml.hands.sheet_image import render_sheet, write_glyph
    from ml.hands.simulate import photograph
    from ml.hands.template import layout
    from ml.metrics.evaluator import shipped_evaluator

    print("hardware:", hardware())
    rng = np.random.default_rng(args.seed)
    held_out = {"digits": load_mnist()["test"], "letters-cased": load_letters_pool(cased=True)["test"]}
    sheet = render_sheet()
    pasted = {}  # box key -> (charset, class, original glyph)
    groups = {}
    for name, data in held_out.items():
        groups[name] = style_group(data.images, data.labels, data.charset.n_classes, rng)
        for c, chars in sheet_chars(data.charset).items():
            if c not in groups[name]:
                continue
            rows = iter(groups[name][c])
            for ch in chars:
                for box in layout().boxes_for(ch):
                    img = data.images[next(rows)]
                    write_glyph(sheet, box, img)
                    pasted[box.key] = (name, c, img)
            groups[name][c] = np.array(list(rows))  # what was not pasted: the held-out reference
    photo = photograph(sheet, seed=args.seed)
    (out / "photo.jpg").write_bytes(photo)
    started = time.perf_counter()
    extracted = extract_sheet(photo)
    extract_s = time.perf_counter() - started
    cv2.imwrite(str(out / "flat.png"), extracted.flat)
    got = {g.box.key: g for g in extracted.glyphs}
    report = {"hardware": hardware(), "steps": args.steps, "config": json.loads(args.config), "seed": args.seed, "extract_seconds": round(extract_s, 2),
              "photo_bytes": len(photo), "charsets": {}}
    print(f"sheet: {len(pasted)} filled boxes; extraction {extract_s:.1f} s")

    for name, data in held_out.items():
        cs = data.charset
        scorer = shipped_evaluator(SCORER[name])
        keys = [k for k, v in pasted.items() if v[0] == name]
        want = np.array([scorer.charset.class_of(cs.char_of(pasted[k][1])) for k in keys])
        originals = np.stack([pasted[k][2] for k in keys])
        recovered = [got[k].glyph is not None for k in keys]
        glyphs = np.stack([got[k].glyph if got[k].glyph is not None else np.zeros((28, 28), np.uint8) for k in keys])
        read_ok = (np.argmax(scorer.probs(glyphs), axis=1) == want) & np.array(recovered)
        orig_ok = np.argmax(scorer.probs(originals), axis=1) == want
        cv2.imwrite(str(out / f"extracted-{name}.png"), np.concatenate([
            np.concatenate(list(originals[:40]), axis=1), np.concatenate(list(glyphs[:40]), axis=1)]))
        rec = {"filled_boxes": len(keys), "recovered": int(sum(recovered)), "read_correctly": int(read_ok.sum()),
               "extraction_rate": float(read_ok.mean()), "originals_read_correctly": float(orig_ok.mean())}
        print(f"[{name}] extraction: {read_ok.sum()}/{len(keys)} boxes recovered and read as their label "
              f"({read_ok.mean():.1%}); the pasted originals read {orig_ok.mean():.1%}")

        train_keys = [k for k in keys if got[k].glyph is not None]
        chars = [cs.char_of(pasted[k][1]) for k in train_keys]
        train = np.stack([got[k].glyph for k in train_keys])
        folder = out / f"adapted-{name}"
        t0 = time.perf_counter()
        record = adapt_generator(GENERATORS[name], train, chars, folder, config={**json.loads(args.config), "steps": args.steps, "seed": args.seed})
        rec["adapt_seconds"] = round(time.perf_counter() - t0, 1)
        print(f"[{name}] adaptation: {args.steps} steps on {len(train)} glyphs in {rec['adapt_seconds']} s")

        adapted, default = Generator(folder / "model.keras"), Generator(GENERATORS[name])
        classes = sorted(groups[name])
        labels = np.repeat(classes, 100).astype(np.int32)
        z = np.random.default_rng(args.seed + 1).standard_normal((len(labels), adapted.latent_dim)).astype(np.float32)
        drawn = {"adapted": adapted.draw(labels, z), "default": default.draw(labels, z)}
        per_class = {}
        score_y = np.array([scorer.charset.class_of(cs.char_of(c)) for c in labels])
        feats = {k: scorer.outputs(v) for k, v in drawn.items()}
        own = {}  # the glyphs the hand learned from, by class
        for k, ch in zip(train_keys, chars, strict=True):
            own.setdefault(cs.class_of(ch), []).append(got[k].glyph)
        for c in classes:
            ref = scorer.features(data.images[groups[name][c]]).mean(axis=0)
            mine = scorer.features(np.stack(own[c])).mean(axis=0) if c in own else None
            row = {}
            for k, (_, f) in feats.items():
                row[k] = float(np.linalg.norm(f[labels == c].mean(axis=0) - ref))
                if mine is not None:
                    row[k + "_to_sheet"] = float(np.linalg.norm(f[labels == c].mean(axis=0) - mine))
            per_class[cs.char_of(c)] = row
        acc = {k: float(np.mean(np.argmax(p, axis=1) == score_y)) for k, (p, _) in feats.items()}
        rec.update({
            "likeness_adapted": float(np.mean([r["adapted"] for r in per_class.values()])),
            "likeness_default": float(np.mean([r["default"] for r in per_class.values()])),
            "classes_closer": int(sum(r["adapted"] < r["default"] for r in per_class.values())),
            "classes": len(per_class), "per_class": per_class,
            "to_sheet_adapted": float(np.mean([r["adapted_to_sheet"] for r in per_class.values() if "adapted_to_sheet" in r])),
            "to_sheet_default": float(np.mean([r["default_to_sheet"] for r in per_class.values() if "default_to_sheet" in r])),
            "stroke_width": {"group": widths(data.images[np.concatenate(list(groups[name].values()))]),
                             "sheet": widths(train), "adapted": widths(drawn["adapted"]),
                             "default": widths(drawn["default"])},
            "cond_acc_adapted": acc["adapted"], "cond_acc_default": acc["default"],
            "guide_accuracy": record["metrics"]["guide_accuracy"],
        })  # fmt: skip
        print(f"[{name}] likeness (evaluator-feature distance to the style group's held-out glyphs, lower is "
              f"closer): adapted {rec['likeness_adapted']:.3f}, default {rec['likeness_default']:.3f}; adapted "
              f"closer in {rec['classes_closer']}/{rec['classes']} classes")
        print(f"[{name}] distance to the sheet's own glyphs (what the hand learned from): adapted "
              f"{rec['to_sheet_adapted']:.3f}, default {rec['to_sheet_default']:.3f}")
        print(f"[{name}] mean stroke width (px): style group {rec['stroke_width']['group']:.2f}, sheet glyphs "
              f"{rec['stroke_width']['sheet']:.2f}, adapted {rec['stroke_width']['adapted']:.2f}, default "
              f"{rec['stroke_width']['default']:.2f}")
        print(f"[{name}] legibility (conditioning accuracy, {SCORER[name]} evaluator): adapted "
              f"{acc['adapted']:.1%}, default {acc['default']:.1%}")
        print(f"[{name}] per class adapted/default: " + ", ".join(
            f"{ch} {r['adapted']:.2f}/{r['default']:.2f}" for ch, r in per_class.items()))
        show = [c for c in classes][:20]
        rows = [np.concatenate([data.images[groups[name][c][0]] for c in show], axis=1)]
        for k in ("default", "adapted"):
            rows.append(np.concatenate([drawn[k][labels == c][0] for c in show], axis=1))
        cv2.imwrite(str(out / f"compare-{name}.png"), cv2.resize(255 - np.concatenate(rows), None, fx=2, fy=2,
                                                                 interpolation=cv2.INTER_NEAREST))
        report["charsets"][name] = rec
    (out / "report.json").write_text(json.dumps(report, indent=2))
    print("written:", out / "report.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
