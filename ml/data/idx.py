"""Strict reader for the IDX format of MNIST and EMNIST (optionally gzipped).

The header is checked before any pixel is allocated, so a hostile file that
declares billions of items fails fast instead of exhausting memory.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np

from ml.data.errors import DatasetError

# IDX type codes -> numpy big-endian dtypes
_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
MAX_BYTES = 2 * 1024**3  # no dataset we support is anywhere near 2 GiB uncompressed


def _open(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_idx(path, *, expect_ndim: int | None = None, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """Read an IDX file into a native-endian array, validating header and length."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, "file not found")
    try:
        with _open(path) as fh:
            header = fh.read(4)
            if len(header) < 4 or header[0] != 0 or header[1] != 0:
                raise DatasetError(path, "wrong magic number: not an IDX file")
            dtype = _DTYPES.get(header[2])
            ndim = header[3]
            if dtype is None:
                raise DatasetError(path, f"unknown IDX data type 0x{header[2]:02x}")
            if ndim == 0 or (expect_ndim is not None and ndim != expect_ndim):
                raise DatasetError(path, f"wrong magic number: {ndim} dimensions, expected {expect_ndim}")
            dims_raw = fh.read(4 * ndim)
            if len(dims_raw) < 4 * ndim:
                raise DatasetError(path, "truncated header")
            dims = struct.unpack(">" + "I" * ndim, dims_raw)
            nbytes = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
            if nbytes > max_bytes:
                raise DatasetError(path, f"declares {nbytes} bytes of data, more than the {max_bytes} allowed")
            data = fh.read(nbytes)
            if len(data) < nbytes:
                raise DatasetError(path, f"truncated: expected {nbytes} data bytes, found {len(data)}")
            if fh.read(1):
                raise DatasetError(path, "trailing bytes after the declared data")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DatasetError(path, f"unreadable ({exc})") from exc
    return np.frombuffer(data, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="), copy=False)


def idx_bytes(array: np.ndarray) -> bytes:
    """The uncompressed IDX encoding of ``array`` (uint8, int8 or int32): header, then big-endian data."""
    array = np.asarray(array)
    code = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(np.int32): 0x0C}[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">"), copy=False).tobytes()


def write_idx(path, array: np.ndarray, *, compress: bool | None = None) -> None:
    """Write an IDX file (used by tests for fixtures and by tools that derive datasets)."""
    path = Path(path)
    payload = idx_bytes(array)
    compress = path.suffix == ".gz" if compress is None else compress
    if compress:
        with gzip.GzipFile(path, "wb", mtime=0) as fh:
            fh.write(payload)
    else:
        path.write_bytes(payload)


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path, expected: str) -> None:
    actual = sha256_of(path)
    if actual != expected.lower():
        raise DatasetError(path, f"wrong checksum: sha256 {actual}, expected {expected}")
