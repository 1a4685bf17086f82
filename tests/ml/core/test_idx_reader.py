import gzip
import struct

import numpy as np
import pytest

from ml.data.errors import DatasetError
from ml.data.idx import read_idx, sha256_of, verify_sha256, write_idx


def test_round_trip_gz_and_raw(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    for name in ("a-idx3-ubyte.gz", "a-idx3-ubyte"):
        write_idx(tmp_path / name, images)
        assert np.array_equal(read_idx(tmp_path / name, expect_ndim=3), images)


def test_int32_big_endian_round_trip(tmp_path):
    rows = np.array([[1, -2, 3, 70000]], dtype=np.int32)
    write_idx(tmp_path / "p.gz", rows)
    assert read_idx(tmp_path / "p.gz").tolist() == rows.tolist()


def test_wrong_magic(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x89PNG....")
    with pytest.raises(DatasetError, match="wrong magic"):
        read_idx(tmp_path / "bad")


def test_wrong_dimensions_named(tmp_path):
    write_idx(tmp_path / "labels", np.zeros(4, np.uint8))
    with pytest.raises(DatasetError, match="1 dimensions, expected 3"):
        read_idx(tmp_path / "labels", expect_ndim=3)


def test_truncated_data(tmp_path):
    write_idx(tmp_path / "t", np.zeros((3, 28, 28), np.uint8), compress=False)
    data = (tmp_path / "t").read_bytes()
    (tmp_path / "t").write_bytes(data[:-100])
    with pytest.raises(DatasetError, match="truncated") as err:
        read_idx(tmp_path / "t")
    assert str(tmp_path / "t") in str(err.value)


def test_truncated_gzip_stream(tmp_path):
    write_idx(tmp_path / "t.gz", np.ones((50, 28, 28), np.uint8))
    data = (tmp_path / "t.gz").read_bytes()
    (tmp_path / "t.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError):
        read_idx(tmp_path / "t.gz")


def test_absurd_declared_size_fails_before_allocating(tmp_path):
    header = bytes([0, 0, 0x08, 3]) + struct.pack(">III", 4_000_000_000, 28, 28)
    with gzip.open(tmp_path / "huge.gz", "wb") as fh:
        fh.write(header + b"\0" * 10)
    with pytest.raises(DatasetError, match="more than the"):
        read_idx(tmp_path / "huge.gz")


def test_trailing_bytes(tmp_path):
    write_idx(tmp_path / "x", np.zeros(3, np.uint8), compress=False)
    with open(tmp_path / "x", "ab") as fh:
        fh.write(b"junk")
    with pytest.raises(DatasetError, match="trailing"):
        read_idx(tmp_path / "x")


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        read_idx(tmp_path / "nope")


def test_checksum(tmp_path):
    (tmp_path / "f").write_bytes(b"hello")
    digest = sha256_of(tmp_path / "f")
    verify_sha256(tmp_path / "f", digest)
    with pytest.raises(DatasetError, match="wrong checksum"):
        verify_sha256(tmp_path / "f", "0" * 64)
