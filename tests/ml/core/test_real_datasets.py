"""Checks on the real data; skipped cleanly where ../shared/datasets is absent."""

import numpy as np
import pytest

from ml.data.idx import sha256_of
from ml.data.sources import default_data_root, load_letters_pool, load_mnist

ROOT = default_data_root()
pytestmark = [pytest.mark.realdata,
              pytest.mark.skipif(not (ROOT / "mnist").is_dir(), reason=f"real datasets not found at {ROOT}")]


def test_mnist_counts_checksums_and_known_labels():
    assert sha256_of(ROOT / "mnist/train-labels-idx1-ubyte.gz") == (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c")
    data = load_mnist()
    assert len(data["train"]) == 60_000 and len(data["test"]) == 10_000
    assert data["train"].labels[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]
    assert data["test"].histogram()["1"] == 1135


def test_letters_pool_counts_and_stable_split():
    first = load_letters_pool()
    assert len(first["train"]) + len(first["test"]) == 127_648
    assert first["train"].histogram()["x"] + first["test"].histogram()["x"] == 1940
    again = load_letters_pool()
    assert np.array_equal(first["test"].labels, again["test"].labels)
    assert np.array_equal(first["test"].images[:50], again["test"].images[:50])
    cased = load_letters_pool(cased=True)
    hist = cased["train"].histogram()
    assert hist["A"] > 1000 and hist["a"] > 1000 and "c" not in hist
