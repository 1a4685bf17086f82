"""python -m ml.metrics.reference: the metrics of real data, the yardstick for every generator figure.

For each charset: the scoring evaluator reads the real test images with their
true labels (conditioning accuracy, per-class minimum, IS, BCIS, WCIS; case
accuracy for letters-cased), and FID compares a seeded 10,000-image subsample of
the real *train* set with the shipped real test statistics (themselves from a
10,000-image test subsample): the distance between two honest samples of real
handwriting. ``fid_1k`` does the same with 1,000 train images, the size the
trainer scores every epoch. Writes ml/metrics/REFERENCE.json and the tables in
ml/metrics/README.md, and, for a charset scored by another charset's evaluator
(letters-cased by letters), that charset's real test statistics into the evaluator
folder (real_stats_<charset>.npz, see ml.metrics.realstats).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ml.metrics.data import DESCRIPTIONS, real_sets, subsample
from ml.metrics.evaluator import CASE_EVALUATOR, SCORING_EVALUATOR, shipped_evaluator
from ml.metrics.realstats import REAL_SUBSAMPLE, REAL_SUBSAMPLE_SEED, filename_for, test_set_stats
from ml.metrics.scoring import case_scores, score_images

HERE = Path(__file__).resolve().parent
REFERENCE_JSON = HERE / "REFERENCE.json"
README = HERE / "README.md"
CHARSETS = ("digits", "letters", "letters-cased", "alnum", "alnum-cased")
TABLE_START, TABLE_END = "<!-- reference-table:start -->", "<!-- reference-table:end -->"


def load_reference(path=REFERENCE_JSON) -> dict:
    """{charset: {metric: real-data value}}; {} when the file has not been written yet."""
    path = Path(path)
    return json.loads(path.read_text()) if path.exists() else {}


def train_vs_test_fid(evaluator, train, size: int) -> float:
    """FID of a seeded ``size``-image real-train subsample against the shipped real test statistics,
    scored exactly as generated images of that charset are (``scoring.score_images``)."""
    idx = subsample(len(train), size, REAL_SUBSAMPLE_SEED + 1)
    return score_images(evaluator, train.images[idx], train.labels[idx], train.charset).metrics["fid"]


def ensure_charset_stats(evaluator, test) -> None:
    """Write the evaluator's real statistics for a charset it scores but was not trained on (letters-cased)."""
    if test.charset.name == evaluator.charset.name:
        return
    test_set_stats(evaluator, test).save(evaluator.path / filename_for(test.charset.name, evaluator.charset.name))
    evaluator._real_stats.pop(test.charset.name, None)  # reload on next use


def reference_for(name: str, data_root=None) -> dict:
    evaluator = shipped_evaluator(SCORING_EVALUATOR[name])
    if evaluator is None or evaluator.real_stats is None:
        raise FileNotFoundError(f"no shipped {SCORING_EVALUATOR[name]} evaluator with real_stats.npz; "
                                f"train it with python -m ml.metrics.train_evaluator")
    sets = real_sets(name, data_root)
    test, train = sets["test"], sets["train"]
    ensure_charset_stats(evaluator, test)
    scores = score_images(evaluator, test.images, test.labels, test.charset, with_fid=False)
    entry = {k: v for k, v in scores.metrics.items() if k != "cond_acc_min_class_id"}
    entry.update(
        cond_acc_min_class_char=test.charset.char_of(int(scores.metrics["cond_acc_min_class_id"])),
        fid=train_vs_test_fid(evaluator, train, REAL_SUBSAMPLE),
        fid_1k=train_vs_test_fid(evaluator, train, 1_000),
        evaluator=evaluator.charset.name,
        evaluator_params=int(evaluator.meta["params"]),
        test_images=len(test),
        data=DESCRIPTIONS[name],
    )
    if name in CASE_EVALUATOR:
        cased = shipped_evaluator(CASE_EVALUATOR[name])
        if cased is not None:
            entry.update(case_scores(cased, test.images, test.labels, test.charset))
            entry["case_evaluator"] = cased.charset.name
    return entry


def markdown_table(reference: dict) -> str:
    head = ("| charset | evaluator | real test images | cond. accuracy | weakest class | IS | BCIS (ceiling) "
            "| WCIS | FID train vs test (10k) | FID (1k) | case accuracy |")
    rows = [head, "|" + "---|" * 11]
    for name in CHARSETS:
        r = reference.get(name)
        if not r:
            continue
        case = f"{r['case_acc']:.4f}" if "case_acc" in r else "-"
        rows.append(
            f"| {name} | {r['evaluator']} ({r['evaluator_params']:,} params) | {r['test_images']:,} "
            f"| {r['cond_acc']:.4f} | {r['cond_acc_min_class_char']} {r['cond_acc_min_class']:.3f} "
            f"| {r['is']:.2f} ± {r['is_std']:.2f} | {r['bcis']:.2f} ({r['bcis_ceiling']:.0f}) | {r['wcis']:.3f} "
            f"| {r['fid']:.3f} | {r['fid_1k']:.3f} | {case} |")
    return "\n".join(rows)


def evaluators_table() -> str:
    """One row per shipped evaluator, from its model.json."""
    rows = ["| evaluator | architecture | parameters | train images | epochs | real test images "
            "| test accuracy | class-balanced | weakest class |", "|" + "---|" * 9]
    for name in CHARSETS:
        ev = shipped_evaluator(name) if name in SCORING_EVALUATOR.values() else None
        if ev is None:
            continue
        m = ev.meta
        worst = min((v, k) for k, v in m["per_class_accuracy"].items() if v is not None)
        rows.append(f"| {name} | {m['architecture']} | {m['params']:,} | {m['train_images']:,} | {m['epochs']} "
                    f"| {m['test_images']:,} | {m['test_accuracy']:.4f} | {m['test_accuracy_balanced']:.4f} "
                    f"| {worst[1]} {worst[0]:.3f} |")
    return "\n".join(rows)


def replace_between(text: str, start: str, end: str, content: str) -> str:
    if start not in text or end not in text:
        raise ValueError(f"README lacks the {start} ... {end} markers")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{content}\n{end}{after}"


def write_readme_tables(reference: dict, readme=README) -> None:
    text = Path(readme).read_text()
    text = replace_between(text, TABLE_START, TABLE_END, markdown_table(reference))
    text = replace_between(text, "<!-- evaluators-table:start -->", "<!-- evaluators-table:end -->",
                           evaluators_table())
    Path(readme).write_text(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.metrics.reference", description=__doc__.splitlines()[0])
    parser.add_argument("--charset", action="append", choices=CHARSETS, help="only these (default: all)")
    parser.add_argument("--data-root", help="datasets folder (default: ml.data.sources.default_data_root())")
    parser.add_argument("--out", default=str(REFERENCE_JSON))
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the table in README.md")
    args = parser.parse_args(argv)
    reference = load_reference(args.out)
    try:
        for name in args.charset or CHARSETS:
            reference[name] = reference_for(name, args.data_root)
            print(f"{name}: " + ", ".join(f"{k}={v:.4f}" for k, v in reference[name].items()
                                          if isinstance(v, float)), flush=True)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    reference["_about"] = {
        "convention": "class-balanced: every true class weighs the same; see ml/metrics/README.md",
        "fid": f"real train subsample ({REAL_SUBSAMPLE:,}, seed {REAL_SUBSAMPLE_SEED + 1}) vs shipped real test "
               f"statistics of the same charset ({REAL_SUBSAMPLE:,}-image test subsample, seed "
               f"{REAL_SUBSAMPLE_SEED}), classes mixed as the train images were weighted",
        "command": "python -m ml.metrics.reference",
    }
    Path(args.out).write_text(json.dumps(reference, indent=2, sort_keys=True) + "\n")
    if not args.no_readme:
        write_readme_tables(reference)
    print(markdown_table(reference))
    return 0


if __name__ == "__main__":
    sys.exit(main())
