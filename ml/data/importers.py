"""Read any supported source for registration: the data, its checksums and what to tell the user.

The Django importer (generator_app.services.datasets) calls ``read_source`` and
stores what it returns; everything that touches file formats lives here, so it
is tested without a database. Real datasets are read in place (training reads
them from the same path later); the other sources are normalised into arrays
that the importer saves with ml.data.stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ml.data.archive import DEFAULT_LIMITS, Limits, list_tree
from ml.data.arrays import LabelledImages
from ml.data.errors import DatasetError
from ml.data.folders import read_character_folders
from ml.data.fonts import FontOptions, render_fonts
from ml.data.idx import sha256_of
from ml.data.sources import load_emnist_letters, load_letters_pool, load_mnist
from ml.data.splits import DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION, split
from ml.export.files import read_export

# Formats read in place: format -> (loader name for training, kind, files it reads)
IN_PLACE = {
    "mnist": ("mnist", "digits", ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                  "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")),
    "emnist-letters": ("emnist-letters", "letters", tuple(
        f"emnist-letters-{s}-{k}-idx{n}-ubyte.gz" for s in ("train", "test") for k, n in (("images", 3), ("labels", 1)))),
    "emnist-pool": ("emnist-pool", "letters", ("letters-pool-images-idx3-ubyte.gz", "letters-pool-labels-idx1-ubyte.gz",
                                               "letters-pool-provenance-idx2-int32.gz")),
}
IN_PLACE["emnist-pool-cased"] = ("emnist-pool-cased", *IN_PLACE["emnist-pool"][1:])
# Formats normalised and stored by the importer: format -> kind
STORED = {"fonts": "fonts", "notmnist": "fonts", "folder": "custom", "export": "custom"}
# A HandGen export of a built-in charset keeps that charset's kind.
EXPORT_KINDS = {"digits": "digits", "letters": "letters", "letters-cased": "letters"}
FORMATS = (*IN_PLACE, *STORED)
STORED_LOADER = "imported"  # ml.data.sources loader that reads what ml.data.stored wrote

DEFAULT_NAMES = {"mnist": "MNIST", "emnist-letters": "EMNIST letters", "emnist-pool": "EMNIST letters pool",
                 "emnist-pool-cased": "EMNIST letters pool (cased)"}

# Published SHA-256 of the original MNIST release (also checked by ml.data.download).
PUBLISHED_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


@dataclass(frozen=True)
class ImportOptions:
    charset: str = "letters-cased"  # fonts only: which characters to render
    variants: int = 8  # fonts only: distorted renderings per character and font
    seed: int = 0  # fonts only: augmentation seed
    split_seed: int = DEFAULT_SPLIT_SEED
    test_fraction: float = DEFAULT_TEST_FRACTION
    limits: Limits = DEFAULT_LIMITS


@dataclass
class SourceData:
    format: str
    kind: str  # Dataset.kind: digits, letters, fonts, custom
    loader: str  # cfg["dataset"] that trains on it
    splits: dict[str, LabelledImages]
    source_sha256: dict[str, str]  # {file name: sha256} of what was read
    stored: bool  # True: the importer must save the arrays (ml.data.stored)
    report: dict = field(default_factory=dict)
    default_name: str = ""

    @property
    def charset(self):
        return next(iter(self.splits.values())).charset


def read_source(fmt: str, path, *, options: ImportOptions = ImportOptions(), label: str | None = None) -> SourceData:
    """Read and validate ``path`` as ``fmt``; every problem is a DatasetError naming the file.

    ``label`` names the source in checksums and default names when ``path`` is a
    temporary file (an upload), e.g. the uploaded ZIP's own name.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    path = Path(path)
    if not path.exists():
        raise DatasetError(path, "not found")
    if fmt in IN_PLACE:
        return _read_in_place(fmt, path)
    try:
        return _read_stored_format(fmt, path, options, label or path.name)
    except DatasetError as exc:
        if not label:
            raise
        # Name the file as the user knows it ("mine.zip/a/1.png"), not the upload's temporary path.
        raise DatasetError(exc.path.replace(str(path), label, 1), exc.problem) from None


def _read_stored_format(fmt: str, path: Path, options: ImportOptions, label: str) -> SourceData:
    kind = STORED[fmt]
    if fmt == "export":
        data, manifest = read_export(path)
        kind = EXPORT_KINDS.get(data.charset.name, kind)
        report = {"export_of": manifest.get("generator"), "export_seed": manifest.get("seed"),
                  "export_format": manifest.get("data_format"), "export_total": manifest.get("total")}
    elif fmt == "fonts":
        data, report = render_fonts(path, options=FontOptions(options.charset, options.variants, options.seed),
                                    limits=options.limits)
    else:
        data, report = read_character_folders(path, limits=options.limits, skip_unreadable=fmt == "notmnist",
                                              charset_name="notmnist" if fmt == "notmnist" else "custom")
    report = {**report, "split_seed": options.split_seed, "test_fraction": options.test_fraction}
    splits = split(data, seed=options.split_seed, test_fraction=options.test_fraction)
    return SourceData(fmt, kind, STORED_LOADER, splits, {label: _source_digest(path, options.limits)},
                      stored=True, report=report, default_name=Path(label).stem or fmt)


def _read_in_place(fmt: str, path: Path) -> SourceData:
    if not path.is_dir():
        raise DatasetError(path, f"expected the folder holding the {fmt} files")
    loader, kind, names = IN_PLACE[fmt]
    read = {"mnist": load_mnist, "emnist-letters": load_emnist_letters, "emnist-pool": load_letters_pool,
            "emnist-pool-cased": lambda root: load_letters_pool(root, cased=True)}[fmt]
    splits = read(path)  # validates every file first
    digests = {name: sha256_of(path / name) for name in names}
    report = {}
    if fmt == "mnist":
        report["matches_published_release"] = all(digests[n] == PUBLISHED_SHA256[n] for n in names)
    return SourceData(fmt, kind, loader, splits, digests, stored=False, report=report,
                      default_name=DEFAULT_NAMES[fmt])


def _source_digest(path: Path, limits: Limits) -> str:
    """SHA-256 of an uploaded file, or of a folder's listing (names and file digests) as one value."""
    if path.is_file():
        return sha256_of(path)
    digest = hashlib.sha256()
    for entry in sorted(list_tree(path, limits), key=lambda e: e.parts):
        digest.update("/".join(entry.parts).encode() + b"\0" + hashlib.sha256(entry.read()).digest())
    return digest.hexdigest()
