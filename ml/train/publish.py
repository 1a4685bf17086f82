"""python -m ml.train.publish --run DIR --name NAME [--default] [--evaluation FILE.json]

Turns a finished run folder into a shipped generator under ml/pretrained/NAME/:
``generator.keras`` (self-describing), ``config.json`` (the exact training config),
``manifest.json`` (what the web side registers) and ``MODEL_CARD.md`` (written by hand
from the facts this tool gathers into ``card_facts.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import zipfile
from pathlib import Path

from ml.generator import METADATA_ENTRY

PRETRAINED = Path(__file__).resolve().parents[1] / "pretrained"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _numbers(d: dict) -> dict:
    return {k: float(v) for k, v in d.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def publish(run: Path, name: str, *, default: bool, evaluation: dict | None, dest_root: Path = PRETRAINED) -> Path:
    model, meta_path = run / "generator" / "model.keras", run / "generator" / "model.json"
    if not model.is_file():
        raise FileNotFoundError(f"{model}: the run has no exported generator (did it finish?)")
    dest = dest_root / name
    dest.mkdir(parents=True, exist_ok=True)
    weights = dest / "generator.keras"
    shutil.copyfile(model, weights)
    with zipfile.ZipFile(weights) as archive:
        embedded = METADATA_ENTRY in archive.namelist()
    if not embedded:  # runs exported before the metadata entry existed
        with zipfile.ZipFile(weights, "a") as archive:
            archive.writestr(METADATA_ENTRY, meta_path.read_text())
    meta = json.loads(meta_path.read_text())
    shutil.copyfile(run / "config.json", dest / "config.json")
    run_info = json.loads((run / "run.json").read_text())
    epochs = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line]
    manifest = {
        "kind": "generator",
        "name": name,
        "charset": meta["charset"]["name"],
        "architecture": meta["architecture"],
        "weights": weights.name,
        "sha256": _sha256(weights),
        "metrics": _numbers((evaluation or {}).get("metrics", {})),
        "model_card": "MODEL_CARD.md",
        "default": default,
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    facts = {"run": run_info, "train_seconds": meta["provenance"].get("train_seconds"),
             "epochs": epochs, "evaluation": evaluation}
    (dest / "card_facts.json").write_text(json.dumps(facts, indent=2, sort_keys=True, default=str) + "\n")
    return dest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.train.publish", description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument("--default", action="store_true", help="make it the default for its charset")
    parser.add_argument("--evaluation", type=Path, help="JSON written by python -m ml.evaluate --json")
    args = parser.parse_args(argv)
    evaluation = json.loads(args.evaluation.read_text()) if args.evaluation else None
    try:
        dest = publish(args.run, args.name, default=args.default, evaluation=evaluation)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"published {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
