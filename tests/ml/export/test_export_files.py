"""Exports read back exactly, in every format, and a damaged export is refused."""

from __future__ import annotations

import gzip
import io
import json
import struct
import zipfile

import numpy as np
import pytest

from ml.data.errors import DatasetError
from ml.export import plan
from ml.export.build import export_dataset
from ml.export.files import IDX_IMAGES, IDX_LABELS, NPZ_NAME, read_export
from tests.ml.export.fakes import FakeGenerator


@pytest.fixture
def weights(tmp_path):
    path = tmp_path / "gen" / "model.keras"
    path.parent.mkdir()
    path.write_bytes(b"not really weights, but hashed like them")
    return path


def _export(weights, out, fmt, **kw):
    kw.setdefault("per_class", 7)
    return export_dataset(weights, out, fmt=fmt, seed=11, generator=FakeGenerator(), generator_name="fake-v1", **kw)


def test_idx_export_is_mnist_format(weights, tmp_path):
    manifest = _export(weights, tmp_path / "d.zip", "idx")
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        assert sorted(zf.namelist()) == sorted([IDX_IMAGES, IDX_LABELS, "manifest.json", "README.md"])
        images = gzip.decompress(zf.read(IDX_IMAGES))
        labels = gzip.decompress(zf.read(IDX_LABELS))
    assert struct.unpack(">IIII", images[:16]) == (0x0803, 70, 28, 28)  # uint8, 3 dimensions, like MNIST
    assert struct.unpack(">II", labels[:8]) == (0x0801, 70)
    assert len(images) == 16 + 70 * 28 * 28 and len(labels) == 8 + 70
    assert np.bincount(np.frombuffer(labels[8:], np.uint8), minlength=10).tolist() == [7] * 10
    assert manifest["counts"] == {str(d): 7 for d in range(10)}
    assert manifest["generator"]["name"] == "fake-v1" and len(manifest["generator"]["version"]) == 64
    assert manifest["seed"] == 11 and manifest["total"] == 70


@pytest.mark.parametrize("fmt", plan.FORMATS)
def test_every_format_reads_back_exactly(weights, tmp_path, fmt):
    gen = FakeGenerator()
    labels = plan.labels_for(plan.uniform_counts(10, 5), 11)
    expected = gen.draw(labels, np.random.default_rng([11, 2, 0]).standard_normal((50, 4), dtype=np.float32))
    _export(weights, tmp_path / "d.zip", fmt, per_class=5)
    data, manifest = read_export(tmp_path / "d.zip")
    assert manifest["data_format"] == fmt and data.charset.name == "digits"
    # the PNG layout groups images by class, so compare as sorted (label, pixels) pairs
    got = sorted(zip(data.labels.tolist(), (im.tobytes() for im in data.images), strict=True))
    want = sorted(zip(labels.tolist(), (im.tobytes() for im in expected), strict=True))
    assert got == want


def test_npz_keys(weights, tmp_path):
    _export(weights, tmp_path / "d.zip", "npz")
    with zipfile.ZipFile(tmp_path / "d.zip") as zf, np.load(io.BytesIO(zf.read(NPZ_NAME))) as npz:
        assert sorted(npz.files) == ["classes", "images", "labels"]
        assert npz["images"].shape == (70, 28, 28) and npz["images"].dtype == np.uint8
        assert npz["labels"].dtype == np.int32 and npz["classes"].tolist() == list("0123456789")


def test_same_request_same_bytes(weights, tmp_path):
    _export(weights, tmp_path / "a.zip", "idx")
    _export(weights, tmp_path / "b.zip", "idx")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_unpacked_folder_reads_back(weights, tmp_path):
    _export(weights, tmp_path / "d.zip", "png")
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        zf.extractall(tmp_path / "unpacked" / "my-set")
    data, _ = read_export(tmp_path / "unpacked")
    assert len(data) == 70


def test_a_changed_file_is_refused(weights, tmp_path):
    _export(weights, tmp_path / "d.zip", "npz")
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[NPZ_NAME] = members[NPZ_NAME][:-3] + b"xyz"
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(DatasetError, match="wrong checksum"):
        read_export(tmp_path / "bad.zip")


def test_counts_that_differ_from_the_manifest_are_refused(weights, tmp_path):
    _export(weights, tmp_path / "d.zip", "idx")
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["counts"]["3"] = 8
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(DatasetError, match="counts differ"):
        read_export(tmp_path / "bad.zip")


def test_a_zip_without_manifest_is_not_an_export(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as zf:
        zf.writestr("a/1.png", b"")
    with pytest.raises(DatasetError, match="not a HandGen export"):
        read_export(tmp_path / "x.zip")
