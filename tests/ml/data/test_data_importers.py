"""read_source: every format read, validated and checksummed for registration; real data where present."""

import gzip

import numpy as np
import pytest
from data_fixtures import handwriting_members, make_zip, mnist_files

from ml.data.errors import DatasetError
from ml.data.idx import sha256_of, write_idx
from ml.data.importers import ImportOptions, read_source
from ml.data.sources import default_data_root, load_named


def test_users_zip_is_normalised_split_and_checksummed(tmp_path):
    archive = make_zip(tmp_path / "upload-123.tmp", handwriting_members("xyz", per_class=10))
    data = read_source("folder", archive, label="my hand.zip")
    assert (data.kind, data.loader, data.stored, data.default_name) == ("custom", "imported", True, "my hand")
    assert data.source_sha256 == {"my hand.zip": sha256_of(archive)}
    assert {k: len(v) for k, v in data.splits.items()} == {"train": 27, "test": 3}
    assert data.report["images"] == 30 and data.report["split_seed"] == ImportOptions().split_seed


def test_folder_source_digest_covers_names_and_contents(tmp_path):
    folder = tmp_path / "hand"
    for name, blob in handwriting_members("ab", per_class=2).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(blob)
    first = read_source("folder", folder).source_sha256["hand"]
    (folder / "a" / "0.png").rename(folder / "b" / "9.png")
    assert read_source("folder", folder).source_sha256["hand"] != first


def test_mnist_layout_read_in_place(tmp_path):
    root = mnist_files(tmp_path / "mnist")
    data = read_source("mnist", root)
    assert (data.kind, data.loader, data.stored) == ("digits", "mnist", False)
    assert set(data.source_sha256) == {p.name for p in root.iterdir()}
    assert data.report["matches_published_release"] is False  # random fixture pixels


@pytest.mark.parametrize("damage, problem", [
    (lambda r: (r / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x07\x03" + bytes(12))),
     "unknown IDX data type 0x07"),
    (lambda r: (r / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"garbage!")), "wrong magic number"),
    (lambda r: (r / "t10k-images-idx3-ubyte.gz").write_bytes(
        (r / "t10k-images-idx3-ubyte.gz").read_bytes()[:-20]), "truncated|unreadable"),
    (lambda r: write_idx(r / "t10k-labels-idx1-ubyte.gz", np.zeros(4, np.uint8)), "count mismatch"),
    (lambda r: write_idx(r / "train-labels-idx1-ubyte.gz", np.full(20, 10, np.uint8)), "label out of range"),
    (lambda r: (r / "train-labels-idx1-ubyte.gz").unlink(), "file not found"),
])
def test_bad_idx_files_are_named(tmp_path, damage, problem):
    root = mnist_files(tmp_path / "mnist")
    damage(root)
    with pytest.raises(DatasetError, match=problem) as info:
        read_source("mnist", root)
    assert "ubyte.gz" in str(info.value)


def test_wrong_paths_and_formats(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        read_source("folder", tmp_path / "absent.zip")
    (tmp_path / "a.zip").write_bytes(b"x")
    with pytest.raises(DatasetError, match="expected the folder holding the mnist files"):
        read_source("mnist", tmp_path / "a.zip")
    with pytest.raises(ValueError, match="unknown format"):
        read_source("cifar", tmp_path)


ROOT = default_data_root()


@pytest.mark.realdata
@pytest.mark.skipif(not (ROOT / "mnist").is_dir(), reason=f"no real data at {ROOT}")
def test_real_mnist_matches_the_published_release():
    data = read_source("mnist", ROOT / "mnist")
    assert data.report["matches_published_release"] is True
    assert {k: len(v) for k, v in data.splits.items()} == {"train": 60_000, "test": 10_000}


@pytest.mark.realdata
@pytest.mark.skipif(not (ROOT / "emnist-letters-partial").is_dir(), reason=f"no real data at {ROOT}")
def test_real_alnum_union_and_official_letters_without_images():
    data = load_named("alnum")  # MNIST + the letters pool, 36 classes
    assert data["train"].charset.name == "alnum"
    assert len(data["train"]) + len(data["test"]) == 70_000 + 127_648
    hist, test_hist = data["train"].histogram(), data["test"].histogram()
    assert hist["0"] == 5923 and hist["x"] + test_hist["x"] == 1940
    assert test_hist["s"] >= 400  # the pool's official-test slice (a..s) stays in test
    if not (ROOT / "emnist-letters" / "emnist-letters-train-images-idx3-ubyte.gz").exists():
        with pytest.raises(DatasetError, match="emnist-letters-train-images-idx3-ubyte.gz: file not found"):
            read_source("emnist-letters", ROOT / "emnist-letters")
