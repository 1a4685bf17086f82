"""Atomic, complete checkpoints: every variable (weights, optimizer slots, RNG seeds) plus loop state.

Written to a temporary name and renamed, so a worker killed mid-write leaves the
previous checkpoint intact; ``latest`` only ever names a complete file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

CHECKPOINT_DIR = "checkpoints"


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def save(out_dir, epoch: int, arrays: dict[str, np.ndarray], state: dict, keep: int = 2) -> Path:
    folder = Path(out_dir) / CHECKPOINT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"epoch-{epoch:05d}.npz"
    _atomic_write(path, lambda fh: np.savez(fh, **arrays))
    _atomic_write(folder / "latest.json",
                  lambda fh: fh.write(json.dumps({**state, "epoch": epoch, "file": path.name}).encode()))
    for old in sorted(folder.glob("epoch-*.npz"))[:-keep]:
        old.unlink()
    return path


def latest(out_dir) -> tuple[dict, dict[str, np.ndarray]] | None:
    pointer = Path(out_dir) / CHECKPOINT_DIR / "latest.json"
    if not pointer.exists():
        return None
    state = json.loads(pointer.read_text())
    with np.load(pointer.parent / state["file"]) as data:
        arrays = {k: data[k] for k in data.files}
    return state, arrays
