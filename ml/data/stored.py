"""The on-disk form of an imported dataset (fonts, notMNIST, a user's handwriting).

Those sources are slow to decode or render, so the importer normalises them once
and saves the arrays here: IDX files per split (upright, white on black, the
labels as class ids), ``charset.json`` and a ``manifest.json`` holding the SHA-256
of every file. Training reads this folder back (``load_stored``) and refuses it
when any checksum differs, so a run always trains on the bytes that were imported.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ml.data.arrays import LabelledImages
from ml.data.charset import Charset
from ml.data.errors import DatasetError
from ml.data.idx import read_idx, sha256_of, verify_sha256, write_idx

FORMAT = "handgen-dataset"
VERSION = 1
MANIFEST = "manifest.json"
CHARSET = "charset.json"


def _names(split: str) -> tuple[str, str]:
    return f"{split}-images-idx3-ubyte.gz", f"{split}-labels-idx1-ubyte.gz"


def save_stored(folder, splits: dict[str, LabelledImages], *, extra: dict | None = None) -> dict[str, str]:
    """Write ``splits`` into ``folder`` (created; must not exist yet); return {file: sha256}.

    Files are written into a temporary sibling and renamed at the end, so a
    crash never leaves a folder that looks complete.
    """
    folder = Path(folder)
    if folder.exists():
        raise DatasetError(folder, "already exists; refusing to overwrite a stored dataset")
    folder.parent.mkdir(parents=True, exist_ok=True)
    cs = next(iter(splits.values())).charset
    if any(s.charset != cs for s in splits.values()):
        raise ValueError("all splits of a stored dataset share one charset")
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for split, data in splits.items():
            images_name, labels_name = _names(split)
            write_idx(work / images_name, data.images)
            write_idx(work / labels_name, data.labels.astype(np.uint8 if cs.n_classes <= 256 else np.int32))
        (work / CHARSET).write_text(cs.to_json())
        files = {p.name: sha256_of(p) for p in sorted(work.iterdir())}
        manifest = {"format": FORMAT, "version": VERSION, "splits": {s: len(d) for s, d in splits.items()},
                    "charset": cs.to_dict(), "files": files, **(extra or {})}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        work.rename(folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return files


def load_stored(root) -> dict[str, LabelledImages]:
    """Read a stored dataset back, verifying every file's checksum first."""
    root = Path(root)
    manifest_path = root / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError:
        raise DatasetError(manifest_path, "not found: not an imported dataset folder") from None
    except (OSError, ValueError) as exc:
        raise DatasetError(manifest_path, f"unreadable manifest ({exc})") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise DatasetError(manifest_path, f"not a {FORMAT} v{VERSION} manifest")
    for name, digest in manifest["files"].items():
        if "/" in name or name.startswith("."):
            raise DatasetError(manifest_path, f"unsafe file name {name!r}")
        if not (root / name).is_file():
            raise DatasetError(root / name, "missing: the manifest lists it")
        verify_sha256(root / name, digest)
    cs = Charset.from_dict(json.loads((root / CHARSET).read_text()))
    out = {}
    for split, count in manifest["splits"].items():
        images_name, labels_name = _names(split)
        images = read_idx(root / images_name, expect_ndim=3)
        labels = read_idx(root / labels_name, expect_ndim=1).astype(np.int32)
        if len(images) != count or len(labels) != count:
            raise DatasetError(root / labels_name, f"count mismatch: manifest says {count}, files hold "
                                                   f"{len(images)} images and {len(labels)} labels")
        if count and (labels.min() < 0 or labels.max() >= cs.n_classes):
            raise DatasetError(root / labels_name, f"label out of range 0..{cs.n_classes - 1}")
        out[split] = LabelledImages(images, labels, cs)
    return out
