"""The export file: one ZIP holding the data (IDX, NPZ or PNG folders), a README and a manifest.

One container for every format, so a download is a single file whose manifest names
the generator, its version (the SHA-256 of its weights), the seed, the per-class
counts and the SHA-256 of every data file. Reading an export back checks all of that
before it trusts a pixel: this is what the dataset importer calls.

Inside the ZIP:

- ``idx``: ``train-images-idx3-ubyte.gz`` / ``train-labels-idx1-ubyte.gz``, exactly
  MNIST's layout (labels are class ids of the generator's charset; for digits they
  are the digits themselves);
- ``npz``: ``dataset.npz`` with ``images`` (uint8, n x 28 x 28), ``labels`` (int32
  class ids) and ``classes`` (the character of each class id);
- ``png``: ``images/<character>/<number>.png``, one folder per class (the layout the
  handwriting importer reads).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ml.data.archive import Limits, list_tree
from ml.data.arrays import LabelledImages
from ml.data.charset import Charset
from ml.data.errors import DatasetError
from ml.data.idx import idx_bytes, read_idx
from ml.export.plan import MAX_TOTAL_IMAGES

FORMAT = "handgen-export"
VERSION = 1
MANIFEST = "manifest.json"
README = "README.md"
IDX_IMAGES, IDX_LABELS = "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"
NPZ_NAME = "dataset.npz"
PNG_FOLDER = "images"
READ_LIMITS = Limits(max_files=MAX_TOTAL_IMAGES + 16)


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _idx_bytes(array: np.ndarray) -> bytes:
    # Level 6, not gzip's default 9: on MNIST-like pixels 9 took 60 s for 60,000 images
    # where 6 takes 2 s for a file 2 % larger.
    return gzip.compress(idx_bytes(array), compresslevel=6, mtime=0)


def data_members(fmt: str, images: np.ndarray, labels: np.ndarray, charset: Charset):
    """(name, bytes) of the data files of ``fmt``, in a fixed order."""
    if fmt == "idx":
        yield IDX_IMAGES, _idx_bytes(images)
        yield IDX_LABELS, _idx_bytes(labels.astype(np.uint8 if charset.n_classes <= 256 else np.int32))
    elif fmt == "npz":
        buffer = io.BytesIO()
        np.savez_compressed(buffer, images=images, labels=labels.astype(np.int32),
                            classes=np.array(charset.classes))
        yield NPZ_NAME, buffer.getvalue()
    elif fmt == "png":
        order = np.argsort(labels, kind="stable")
        seen = np.zeros(charset.n_classes, np.int64)
        for row in order:
            cid = int(labels[row])
            seen[cid] += 1
            yield f"{PNG_FOLDER}/{charset.char_of(cid)}/{seen[cid]:06d}.png", _png(images[row])
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def write_export(path, *, fmt: str, images: np.ndarray, labels: np.ndarray, charset: Charset,
                 manifest: dict, readme: str) -> dict:
    """Write the export ZIP atomically at ``path``; return the manifest as written (with file checksums)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = np.bincount(labels, minlength=charset.n_classes)
    manifest = {"format": FORMAT, "version": VERSION, "data_format": fmt, **manifest,
                "charset": charset.to_dict(), "total": int(len(labels)),
                "counts": {charset.char_of(i): int(n) for i, n in enumerate(counts)}}
    files: dict[str, str] = {}
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w") as zf:
            for name, data in data_members(fmt, images, labels, charset):
                files[name] = hashlib.sha256(data).hexdigest()
                zf.writestr(_info(name), data, compress_type=zipfile.ZIP_STORED)  # already compressed
            manifest["files"] = files
            zf.writestr(_info(MANIFEST), json.dumps(manifest, indent=2, sort_keys=True),
                        compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr(_info(README), readme, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return manifest


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # same request, same bytes
    info.external_attr = 0o644 << 16
    return info


def is_export(path) -> bool:
    """True when ``path`` (ZIP or folder) holds an export manifest at its top or under one folder."""
    try:
        return _find_manifest(list_tree(path, READ_LIMITS)) is not None
    except DatasetError:
        return False


def _find_manifest(entries):
    tops = [e for e in entries if e.parts[-1] == MANIFEST and len(e.parts) <= 2]
    return min(tops, key=lambda e: len(e.parts)) if tops else None


def read_export(path) -> tuple[LabelledImages, dict]:
    """The images and manifest of an export (ZIP or unpacked folder), every checksum and count verified."""
    entries = list_tree(path, READ_LIMITS)
    found = _find_manifest(entries)
    if found is None:
        raise DatasetError(path, f"no {MANIFEST}: not a HandGen export")
    prefix = found.parts[:-1]
    try:
        manifest = json.loads(found.read())
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise ValueError(f"not a {FORMAT} v{VERSION} manifest")
        charset = Charset.from_dict(manifest["charset"])
        files, fmt = dict(manifest["files"]), manifest["data_format"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DatasetError(found.where, f"unreadable manifest ({exc})") from None
    by_name = {"/".join(e.parts[len(prefix):]): e for e in entries if e.parts[:len(prefix)] == prefix}
    data = {}
    for name, digest in files.items():
        entry = by_name.get(name)
        if entry is None:
            raise DatasetError(path, f"{name} is listed in the manifest but missing")
        data[name] = entry.read()
        if hashlib.sha256(data[name]).hexdigest() != digest:
            raise DatasetError(entry.where, "wrong checksum: the file differs from the one exported")
    images, labels = _decode(fmt, data, charset, path)
    if len(labels) and (labels.min() < 0 or labels.max() >= charset.n_classes):
        raise DatasetError(path, f"label out of range 0..{charset.n_classes - 1}")
    counts = np.bincount(labels, minlength=charset.n_classes)
    expected = [int(manifest["counts"].get(ch, 0)) for ch in charset.classes]
    if counts.tolist() != expected:
        raise DatasetError(path, "the per-class counts differ from the manifest's")
    return LabelledImages(images, labels.astype(np.int32), charset), manifest


def _decode(fmt: str, data: dict[str, bytes], charset: Charset, where):
    if fmt == "idx":
        with tempfile.TemporaryDirectory() as tmp:
            arrays = []
            for name, ndim in ((IDX_IMAGES, 3), (IDX_LABELS, 1)):
                (Path(tmp) / name).write_bytes(data[name])
                arrays.append(read_idx(Path(tmp) / name, expect_ndim=ndim))
        images, labels = arrays
    elif fmt == "npz":
        try:
            with np.load(io.BytesIO(data[NPZ_NAME]), allow_pickle=False) as npz:
                images, labels = npz["images"], npz["labels"]
        except (ValueError, KeyError, OSError) as exc:
            raise DatasetError(where, f"unreadable {NPZ_NAME} ({exc})") from None
    elif fmt == "png":
        images, labels = _decode_pngs(data, charset, where)
    else:
        raise DatasetError(where, f"unknown data format {fmt!r} in the manifest")
    if images.dtype != np.uint8 or images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise DatasetError(where, f"expected n uint8 28x28 images and n labels, got {images.dtype} {images.shape} "
                                  f"and {len(labels)} labels")
    return images, np.asarray(labels).astype(np.int64)


def _decode_pngs(data: dict[str, bytes], charset: Charset, where):
    from PIL import Image, UnidentifiedImageError

    names = sorted(n for n in data if n.startswith(PNG_FOLDER + "/"))
    images = np.empty((len(names), 28, 28), np.uint8)
    labels = np.empty(len(names), np.int64)
    for i, name in enumerate(names):
        parts = name.split("/")
        cid = charset.classes.index(parts[1]) if len(parts) == 3 and parts[1] in charset.classes else None
        if cid is None:
            raise DatasetError(f"{where}/{name}", "not in a folder named after a class of the charset")
        try:
            with Image.open(io.BytesIO(data[name])) as img:
                images[i] = np.asarray(img.convert("L"))
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise DatasetError(f"{where}/{name}", f"unreadable PNG ({exc})") from None
        labels[i] = cid
    return images, labels
