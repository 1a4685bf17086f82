"""Readers for the real datasets: MNIST, official EMNIST letters, and the EMNIST letters pool.

Each returns ``{"train": LabelledImages, "test": LabelledImages}`` with upright images.
EMNIST stores images transposed, so every EMNIST reader transposes them back.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ml.data import charset as charsets
from ml.data.arrays import LabelledImages
from ml.data.errors import DatasetError
from ml.data.idx import read_idx

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def default_data_root() -> Path:
    """HANDGEN_DATA_ROOT, else the shared datasets folder beside the project."""
    return Path(os.environ.get("HANDGEN_DATA_ROOT", PROJECT_ROOT.parent / "shared" / "datasets"))


def _pair(images_path: Path, labels_path: Path, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(images_path, expect_ndim=3)
    labels = read_idx(labels_path, expect_ndim=1)
    if images.dtype != np.uint8 or images.shape[1:] != (28, 28):
        raise DatasetError(images_path, f"expected uint8 28x28 images, got {images.dtype} {images.shape[1:]}")
    if len(images) != len(labels):
        raise DatasetError(labels_path, f"count mismatch: {len(images)} images but {len(labels)} labels")
    if len(labels) and (labels.min() < lo or labels.max() > hi):
        raise DatasetError(labels_path, f"label out of range {lo}..{hi}: found {labels.min()}..{labels.max()}")
    return images, labels.astype(np.int32)


def load_mnist(root=None) -> dict[str, LabelledImages]:
    root = Path(root or default_data_root() / "mnist")
    cs = charsets.digits()
    out = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images, labels = _pair(root / f"{prefix}-images-idx3-ubyte.gz", root / f"{prefix}-labels-idx1-ubyte.gz", 0, 9)
        out[split] = LabelledImages(images, labels, cs)
    return out


def load_emnist_letters(root=None) -> dict[str, LabelledImages]:
    """The official EMNIST letters files (labels 1..26), case merged."""
    root = Path(root or default_data_root() / "emnist-letters")
    cs = charsets.letters()
    out = {}
    for split in ("train", "test"):
        images, labels = _pair(root / f"emnist-letters-{split}-images-idx3-ubyte.gz",
                               root / f"emnist-letters-{split}-labels-idx1-ubyte.gz", 1, 26)
        out[split] = LabelledImages(np.ascontiguousarray(images.transpose(0, 2, 1)), labels - 1, cs)
    return out


# Provenance columns of the pool (see the datasets README).
SOURCE_OFFICIAL_TEST = 1
CASE_UPPER, CASE_LOWER = 1, 2


def pool_split(labels: np.ndarray, source: np.ndarray, *, seed: int = 20261125,
               test_fraction: float = 0.15) -> np.ndarray:
    """Boolean mask of test rows: every official-test row, topped up per class to `test_fraction`.

    Stratified by letter and seeded, so the split is the same on every machine. Rows
    that are official EMNIST test images never land in train, keeping them held out.
    """
    rng = np.random.default_rng(seed)
    is_test = source == SOURCE_OFFICIAL_TEST
    for letter in np.unique(labels):
        rows = np.flatnonzero(labels == letter)
        want = int(round(test_fraction * len(rows)))
        free = rows[~is_test[rows]]
        extra = max(0, want - int(is_test[rows].sum()))
        is_test[rng.permutation(free)[:extra]] = True
    return is_test


def load_letters_pool(root=None, *, cased: bool = False, seed: int = 20261125,
                      test_fraction: float = 0.15, distinct_forms: bool = False) -> dict[str, LabelledImages]:
    """The real EMNIST letter pool with its documented split.

    With ``cased=True`` the charset is `letters-cased`: letters whose cases differ in
    shape get a class per case, and images whose case is unknown are left out for
    those letters (they stay in for the shared look-alike classes). ``distinct_forms``
    (cased only) keeps, in the training split, only the I and i images that cannot be
    read as l (``ml.data.forms``).
    """
    root = Path(root or default_data_root() / "emnist-letters-partial")
    images, labels = _pair(root / "letters-pool-images-idx3-ubyte.gz", root / "letters-pool-labels-idx1-ubyte.gz", 1, 26)
    prov_path = root / "letters-pool-provenance-idx2-int32.gz"
    prov = read_idx(prov_path, expect_ndim=2)
    if prov.shape != (len(labels), 4):
        raise DatasetError(prov_path, f"expected {len(labels)}x4 provenance rows, got {prov.shape}")
    images = np.ascontiguousarray(images.transpose(0, 2, 1))
    letters = labels - 1
    is_test = pool_split(letters, prov[:, 0], seed=seed, test_fraction=test_fraction)
    if cased:
        cs = charsets.letters_cased()
        class_ids, keep = cased_class_ids(letters, prov[:, 3], cs)
        if distinct_forms:
            keep_distinct_i_forms(images, letters, class_ids, keep, ~is_test, cs)
    else:
        if distinct_forms:
            raise ValueError("distinct_forms needs the case-aware letters (cased=True)")
        cs = charsets.letters()
        class_ids, keep = letters, np.ones(len(letters), bool)
    return {
        "train": LabelledImages(images[keep & ~is_test], class_ids[keep & ~is_test].astype(np.int32), cs),
        "test": LabelledImages(images[keep & is_test], class_ids[keep & is_test].astype(np.int32), cs),
    }


def keep_distinct_i_forms(images, letters, class_ids, keep, in_train, cs) -> None:
    """In place: training images of the letter i become barred I, dotted i, or are left out."""
    from ml.data.forms import distinct_i_forms

    rows = np.flatnonzero(in_train & (letters == ord("i") - ord("a")))
    bars, dots = distinct_i_forms(images[rows])
    class_ids[rows[bars]], class_ids[rows[dots]] = cs.class_of("I"), cs.class_of("i")
    keep[rows] = bars | dots


def cased_class_ids(letters: np.ndarray, case: np.ndarray, cs) -> tuple[np.ndarray, np.ndarray]:
    """Map (letter 0..25, case flag) to `letters-cased` class ids; also return which rows are usable."""
    upper_ids = np.array([cs.class_of(chr(65 + i)) for i in range(26)])
    lower_ids = np.array([cs.class_of(chr(97 + i)) for i in range(26)])
    shared = upper_ids == lower_ids
    ids = np.where(case == CASE_LOWER, lower_ids[letters], upper_ids[letters])
    keep = shared[letters] | (case == CASE_UPPER) | (case == CASE_LOWER)
    return ids, keep


def load_alnum(root=None) -> dict[str, LabelledImages]:
    """MNIST digits + the EMNIST letters pool as one 36-class set; ``root`` holds both folders."""
    from ml.data.union import union_splits

    root = Path(root or default_data_root())
    return union_splits([load_mnist(root / "mnist"), load_letters_pool(root / "emnist-letters-partial")])


def load_alnum_cased(root=None, *, distinct_forms: bool = False) -> dict[str, LabelledImages]:
    """MNIST digits + the case-aware letters pool (`alnum-cased`, 51 classes); ``root`` holds both folders."""
    from ml.data.union import union_splits

    root = Path(root or default_data_root())
    letters = load_letters_pool(root / "emnist-letters-partial", cased=True, distinct_forms=distinct_forms)
    return union_splits([load_mnist(root / "mnist"), letters])


def _needs_root(name: str, read):
    """Loaders for a user's data have no default location: they read the path they are given."""
    def load(root=None):
        if not root:
            raise ValueError(f"dataset {name!r} needs data_root: the folder (or ZIP) to read")
        return read(root)
    return load


def _stored(root):
    from ml.data.stored import load_stored

    return load_stored(root)


def _fonts(root):
    from ml.data.fonts import load_fonts

    return load_fonts(root)


def _notmnist(root):
    from ml.data.folders import load_notmnist

    return load_notmnist(root)


def _folder(root):
    from ml.data.folders import load_handwriting

    return load_handwriting(root)


LOADERS = {
    "mnist": lambda root=None: load_mnist(root),
    "emnist-letters": lambda root=None: load_emnist_letters(root),
    "emnist-pool": lambda root=None: load_letters_pool(root),
    "emnist-pool-cased": lambda root=None: load_letters_pool(root, cased=True),
    "alnum": lambda root=None: load_alnum(root),
    "alnum-cased": lambda root=None: load_alnum_cased(root),
    # data_root = a folder written by the importer (ml.data.stored), verified by checksum
    "imported": _needs_root("imported", _stored),
    # data_root = the raw source, read (and for fonts rendered) with default options
    "fonts": _needs_root("fonts", _fonts),
    "notmnist": _needs_root("notmnist", _notmnist),
    "folder": _needs_root("folder", _folder),
}
DISTINCT_FORMS_DATASETS = ("emnist-pool-cased", "alnum-cased")
NEEDS_DATA_ROOT = ("imported", "fonts", "notmnist", "folder")


def load_named(name: str, root=None, *, distinct_forms: bool = False) -> dict[str, LabelledImages]:
    if name not in LOADERS:
        raise ValueError(f"unknown dataset {name!r}; valid: {', '.join(sorted(LOADERS))}")
    if distinct_forms:
        if name not in DISTINCT_FORMS_DATASETS:
            raise ValueError(f"distinct_forms applies to the {' and '.join(DISTINCT_FORMS_DATASETS)} datasets only")
        if name == "alnum-cased":
            return load_alnum_cased(root, distinct_forms=True)
        return load_letters_pool(root, cased=True, distinct_forms=True)
    return LOADERS[name](root)
