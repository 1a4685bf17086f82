"""Imported datasets on disk (checksummed), unions of datasets, balance reports and preview montages."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from ml.data.charset import digits, letters
from ml.data.errors import DatasetError
from ml.data.fixture import make_fixture
from ml.data.preview import montage_png
from ml.data.report import balance_report
from ml.data.sources import load_named
from ml.data.splits import split
from ml.data.stored import load_stored, save_stored
from ml.data.union import union
from ml.train.config import ConfigError, validate_config


@pytest.fixture
def stored(tmp_path):
    splits = split(make_fixture(60, seed=1))
    files = save_stored(tmp_path / "7", splits)
    return tmp_path / "7", splits, files


def test_round_trip_through_the_imported_loader(stored):
    folder, splits, files = stored
    assert set(files) == {"charset.json", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                          "test-images-idx3-ubyte.gz", "test-labels-idx1-ubyte.gz"}
    back = load_named("imported", folder)
    for name in ("train", "test"):
        assert np.array_equal(back[name].images, splits[name].images)
        assert np.array_equal(back[name].labels, splits[name].labels)
    assert back["train"].charset == splits["train"].charset
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_tampered_file_fails_the_checksum(stored):
    folder, _, _ = stored
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b tampered")
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte.gz: wrong checksum"):
        load_stored(folder)


def test_missing_files_and_foreign_folders(stored, tmp_path):
    folder, _, _ = stored
    (folder / "test-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match="test-images-idx3-ubyte.gz: missing"):
        load_stored(folder)
    with pytest.raises(DatasetError, match="not an imported dataset folder"):
        load_stored(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(DatasetError, match="not a handgen-dataset"):
        load_stored(tmp_path)


def test_refuses_to_overwrite(stored):
    folder, splits, _ = stored
    with pytest.raises(DatasetError, match="already exists"):
        save_stored(folder, splits)


def test_training_config_needs_a_root_for_imported_data():
    with pytest.raises(ConfigError, match="'imported' needs data_root"):
        validate_config({"dataset": "imported"})
    with pytest.raises(ConfigError, match="data_root must be null or a path"):
        validate_config({"dataset": "mnist", "data_root": 5})
    assert validate_config({"dataset": "folder", "data_root": "/data/mine.zip"})["data_root"] == "/data/mine.zip"


def test_digits_plus_letters_is_the_36_class_alnum_charset():
    d = make_fixture(20, seed=0)
    lt = make_fixture(26, charset=letters(), seed=1)
    both = union([d, lt])
    assert both.charset.name == "alnum" and both.charset.n_classes == 36
    assert len(both) == 46
    assert [both.charset.char_of(i) for i in both.labels[20:26]] == [lt.charset.char_of(i) for i in lt.labels[:6]]
    assert both.charset.class_of("Q") == both.charset.class_of("q")
    odd = union([make_fixture(10, seed=2), make_fixture(10, seed=3, charset=digits())])
    assert odd.charset.name == "digits" and len(odd) == 20


def test_balance_verdicts():
    mnist_train = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    report = balance_report({str(i): n for i, n in enumerate(mnist_train)})
    assert report["verdict"] == "near balanced" and report["ratio"] == pytest.approx(1.244, abs=1e-3)
    pool = balance_report({"e": 10135, "x": 1940, "a": 6058})
    assert pool["verdict"] == "imbalanced" and pool["smallest"] == ["x", 1940] and pool["largest"][0] == "e"
    assert balance_report({"a": 5, "b": 0})["verdict"] == "missing classes"
    assert balance_report({})["verdict"] == "empty"


def test_montage_has_a_row_per_class():
    data = make_fixture(100, seed=0)
    img = Image.open(io.BytesIO(montage_png(data, per_class=4)))
    assert img.size == (22 + 4 * 28, 10 * 28)
    wide = Image.open(io.BytesIO(montage_png(make_fixture(80, charset=letters(), seed=0), per_class=2)))
    assert wide.size[1] == 26 * 28
