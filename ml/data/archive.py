"""Read the files of a folder or a ZIP archive as one tree, refusing hostile input up front.

Users upload these, so nothing is trusted: names that climb out of the tree,
absolute names, links, encrypted members, too many files, and archives whose
declared (or real) uncompressed size is absurd are all refused with the
offending name, before a single image is decoded. Members are read one at a
time and never extracted to disk, so memory stays bounded by ``max_file_bytes``.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ml.data.errors import DatasetError

JUNK_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Limits:
    max_files: int = 200_000
    max_total_bytes: int = 2 * 1024**3
    max_file_bytes: int = 64 * 1024**2
    max_ratio: int = 1_000  # uncompressed / compressed size of one ZIP member; a zip bomb is far above


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Entry:
    parts: tuple[str, ...]  # path inside the tree, split into folder names and the file name
    size: int
    where: str  # how to name it in an error: "upload.zip/a/1.png" or the real path
    _read: Callable[[], bytes]

    def read(self) -> bytes:
        return self._read()


def is_junk(parts: tuple[str, ...]) -> bool:
    """Files an OS or editor leaves behind (``__MACOSX/``, ``.DS_Store``); skipped, not errors."""
    return any(part.startswith(".") or part in JUNK_NAMES for part in parts)


def list_tree(path, limits: Limits = DEFAULT_LIMITS) -> list[Entry]:
    """Every regular file under a folder or in a ZIP, validated against ``limits``; junk left out.

    Sorted by path, so a folder and a ZIP of it (in any member order) give the same dataset.
    """
    path = Path(path)
    if path.is_dir():
        return sorted(_folder_entries(path, limits), key=lambda e: e.parts)
    if not path.is_file():
        raise DatasetError(path, "not found")
    if not zipfile.is_zipfile(path):
        raise DatasetError(path, "not a folder or a ZIP archive")
    return sorted(_zip_entries(path, limits), key=lambda e: e.parts)


def _check_name(archive: Path, name: str) -> tuple[str, ...]:
    where = f"{archive}/{name}"
    if "\x00" in name:
        raise DatasetError(where, "unsafe name: contains a NUL byte")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise DatasetError(where, "unsafe name: absolute path in the archive")
    parts = tuple(p for p in name.replace("\\", "/").split("/") if p not in ("", "."))
    if ".." in parts:
        raise DatasetError(where, "unsafe name: path traversal ('..') in the archive")
    return parts


def _zip_entries(archive: Path, limits: Limits) -> list[Entry]:
    try:
        zf = zipfile.ZipFile(archive)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DatasetError(archive, f"unreadable ZIP archive ({exc})") from None
    files = [info for info in infos if not info.is_dir()]
    if len(files) > limits.max_files:
        raise DatasetError(archive, f"too many files: {len(files):,}, at most {limits.max_files:,}")
    entries, total = [], 0
    for info in files:
        parts = _check_name(archive, info.filename)
        where = f"{archive}/{info.filename}"
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DatasetError(where, "symbolic links are not allowed")
        if info.flag_bits & 0x1:
            raise DatasetError(where, "encrypted members are not supported")
        if info.file_size > limits.max_file_bytes:
            raise DatasetError(where, f"file too large: {info.file_size:,} bytes, at most {limits.max_file_bytes:,}")
        if info.file_size > 1024**2 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise DatasetError(where, f"absurd compression ratio ({info.file_size:,} bytes from "
                                      f"{info.compress_size:,}): looks like a zip bomb")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise DatasetError(archive, f"absurd uncompressed size: over {limits.max_total_bytes:,} bytes "
                                        "(a zip bomb, or far more data than a character set needs)")
        if is_junk(parts):
            continue
        entries.append(Entry(parts, info.file_size, where, _zip_reader(zf, info, where, limits)))
    return entries


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, limits: Limits):
    def read() -> bytes:
        try:
            with zf.open(info) as fh:
                data = fh.read(limits.max_file_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise DatasetError(where, f"corrupt member ({exc})") from None
        if len(data) > limits.max_file_bytes:
            raise DatasetError(where, f"file too large: more than {limits.max_file_bytes:,} bytes")
        return data
    return read


def _folder_entries(root: Path, limits: Limits) -> Iterator[Entry]:
    count = total = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            children = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise DatasetError(folder, f"unreadable folder ({exc.strerror})") from None
        for child in children:
            full = Path(child.path)
            if child.is_symlink():
                raise DatasetError(full, "symbolic links are not allowed")
            if child.is_dir(follow_symlinks=False):
                stack.append(full)
                continue
            if not child.is_file(follow_symlinks=False):
                continue
            parts = full.relative_to(root).parts
            if is_junk(parts):
                continue
            size = child.stat(follow_symlinks=False).st_size
            count += 1
            total += size
            if count > limits.max_files:
                raise DatasetError(root, f"too many files: more than {limits.max_files:,}")
            if size > limits.max_file_bytes:
                raise DatasetError(full, f"file too large: {size:,} bytes, at most {limits.max_file_bytes:,}")
            if total > limits.max_total_bytes:
                raise DatasetError(root, f"absurd total size: over {limits.max_total_bytes:,} bytes")
            yield Entry(parts, size, str(full), _file_reader(full))


def _file_reader(path: Path):
    def read() -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise DatasetError(path, f"unreadable file ({exc.strerror})") from None
    return read
