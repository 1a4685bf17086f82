"""Readers on small fixture files in the official layouts (no real data needed)."""

import numpy as np
import pytest

from ml.data.charset import letters_cased
from ml.data.errors import DatasetError
from ml.data.idx import write_idx
from ml.data.sources import cased_class_ids, load_emnist_letters, load_letters_pool, load_mnist, pool_split


def _mnist_files(root, n_train=20, n_test=10, labels=None):
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        lab = labels if labels is not None else (np.arange(n) % 10).astype(np.uint8)
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", lab[:n] if len(lab) >= n else lab)


def test_mnist_fixture(tmp_path):
    _mnist_files(tmp_path)
    data = load_mnist(tmp_path)
    assert len(data["train"]) == 20 and len(data["test"]) == 10
    assert data["train"].histogram()["3"] == 2


def test_mnist_count_mismatch(tmp_path):
    _mnist_files(tmp_path, labels=np.zeros(5, np.uint8))
    with pytest.raises(DatasetError, match="count mismatch"):
        load_mnist(tmp_path)


def test_mnist_label_out_of_range(tmp_path):
    _mnist_files(tmp_path, labels=np.full(20, 11, np.uint8))
    with pytest.raises(DatasetError, match="label out of range"):
        load_mnist(tmp_path)


def test_emnist_official_layout_is_transposed_back(tmp_path):
    upright = np.zeros((2, 28, 28), np.uint8)
    upright[:, 2, :] = 255  # a horizontal bar near the top
    for split in ("train", "test"):
        write_idx(tmp_path / f"emnist-letters-{split}-images-idx3-ubyte.gz", upright.transpose(0, 2, 1).copy())
        write_idx(tmp_path / f"emnist-letters-{split}-labels-idx1-ubyte.gz", np.array([1, 26], np.uint8))
    data = load_emnist_letters(tmp_path)
    assert data["train"].images[0, 2, :].min() == 255 and data["train"].images[0, :, 2].max() == 255
    assert [data["train"].charset.char_of(c) for c in data["train"].labels] == ["a", "z"]


def test_pool_split_keeps_official_test_rows_and_is_stable():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 26, 5000)
    source = rng.integers(1, 7, 5000)
    a = pool_split(labels, source)
    assert np.array_equal(a, pool_split(labels, source))
    assert a[source == 1].all()
    assert not np.array_equal(a, pool_split(labels, source, seed=5))
    for letter in range(26):  # every class is represented on both sides
        rows = labels == letter
        assert 0 < a[rows].sum() < rows.sum()


def test_cased_class_ids():
    cs = letters_cased()
    letters = np.array([0, 0, 0, 2, 2])  # a a a c c
    case = np.array([1, 2, 0, 2, 0])  # upper lower unknown lower unknown
    ids, keep = cased_class_ids(letters, case, cs)
    assert [cs.char_of(i) for i in ids[keep]] == ["A", "a", "C", "C"]
    assert keep.tolist() == [True, True, False, True, True]


def test_pool_fixture_with_provenance(tmp_path):
    n = 260
    rng = np.random.default_rng(0)
    write_idx(tmp_path / "letters-pool-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
    write_idx(tmp_path / "letters-pool-labels-idx1-ubyte.gz", (np.arange(n) % 26 + 1).astype(np.uint8))
    prov = np.stack([rng.integers(1, 7, n), np.arange(n), np.arange(n) % 26 + 1, rng.integers(0, 3, n)], 1)
    write_idx(tmp_path / "letters-pool-provenance-idx2-int32.gz", prov.astype(np.int32))
    merged = load_letters_pool(tmp_path)
    assert len(merged["train"]) + len(merged["test"]) == n
    cased = load_letters_pool(tmp_path, cased=True)
    assert cased["train"].charset.name == "letters-cased"
    assert len(cased["train"]) + len(cased["test"]) < n  # unknown-case rows of case-split letters dropped


def test_pool_provenance_shape_checked(tmp_path):
    write_idx(tmp_path / "letters-pool-images-idx3-ubyte.gz", np.zeros((4, 28, 28), np.uint8))
    write_idx(tmp_path / "letters-pool-labels-idx1-ubyte.gz", np.ones(4, np.uint8))
    write_idx(tmp_path / "letters-pool-provenance-idx2-int32.gz", np.zeros((3, 4), np.int32))
    with pytest.raises(DatasetError, match="provenance"):
        load_letters_pool(tmp_path)
