"""Hostile folders and ZIPs are refused up front, naming the file and the problem."""

import os
import stat
import zipfile

import pytest
from data_fixtures import make_zip

from ml.data.archive import Limits, list_tree
from ml.data.errors import DatasetError


def test_zip_and_folder_list_the_same_files_and_skip_junk(tmp_path):
    members = {"a/1.png": b"x", "a/.DS_Store": b"junk", "__MACOSX/a/._1.png": b"junk", "b/2.png": b"yy"}
    zipped = [(e.parts, e.read()) for e in list_tree(make_zip(tmp_path / "s.zip", members))]
    folder = tmp_path / "s"
    for name, data in members.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    listed = [(e.parts, e.read()) for e in list_tree(folder)]
    assert sorted(zipped) == sorted(listed) == [(("a", "1.png"), b"x"), (("b", "2.png"), b"yy")]


@pytest.mark.parametrize("name", ["../evil.png", "a/../../evil.png", "/etc/passwd", "..\\..\\evil.png",
                                  "C:/windows/evil.png"])
def test_unsafe_names_are_refused(tmp_path, name):
    archive = make_zip(tmp_path / "evil.zip", {"a/ok.png": b"x", name: b"x"})
    with pytest.raises(DatasetError, match="unsafe name") as info:
        list_tree(archive)
    assert "evil.zip" in str(info.value)


def test_symlink_member_is_refused(tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("a/link.png")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(DatasetError, match="symbolic links"):
        list_tree(archive)


def test_symlink_in_a_folder_is_refused(tmp_path):
    (tmp_path / "set" / "a").mkdir(parents=True)
    os.symlink("/etc/passwd", tmp_path / "set" / "a" / "1.png")
    with pytest.raises(DatasetError, match="symbolic links"):
        list_tree(tmp_path / "set")


def test_zip_bomb_ratio(tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", {"a/zeros.png": bytes(8 * 1024**2)})  # 8 MiB -> ~8 kB
    with pytest.raises(DatasetError, match="zip bomb") as info:
        list_tree(archive)
    assert "a/zeros.png" in str(info.value)


def test_absurd_total_uncompressed_size(tmp_path):
    archive = make_zip(tmp_path / "big.zip", {f"a/{i}.png": os.urandom(4000) for i in range(5)})
    with pytest.raises(DatasetError, match="absurd uncompressed size"):
        list_tree(archive, Limits(max_total_bytes=10_000))


def test_too_many_files(tmp_path):
    archive = make_zip(tmp_path / "many.zip", {f"a/{i}.png": b"x" for i in range(6)})
    with pytest.raises(DatasetError, match="too many files: 6"):
        list_tree(archive, Limits(max_files=5))
    folder = tmp_path / "many"
    (folder / "a").mkdir(parents=True)
    for i in range(6):
        (folder / "a" / f"{i}.png").write_bytes(b"x")
    with pytest.raises(DatasetError, match="too many files"):
        list_tree(folder, Limits(max_files=5))


def test_one_file_too_large(tmp_path):
    archive = make_zip(tmp_path / "large.zip", {"a/huge.png": os.urandom(3000)})
    with pytest.raises(DatasetError, match="a/huge.png: file too large"):
        list_tree(archive, Limits(max_file_bytes=2000))


def test_encrypted_member(tmp_path):
    archive = make_zip(tmp_path / "secret.zip", {"a/1.png": b"data"})
    raw = bytearray(archive.read_bytes())
    # Set the "encrypted" flag bit in the local header and the central directory entry.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.index(signature)
        raw[at + offset] |= 0x1
    archive.write_bytes(bytes(raw))
    with pytest.raises(DatasetError, match="encrypted"):
        list_tree(archive)


def test_corrupt_member_is_named_when_read(tmp_path):
    archive = make_zip(tmp_path / "crc.zip", {"a/1.png": b"A" * 100})
    with zipfile.ZipFile(archive) as zf:
        start = zf.getinfo("a/1.png").header_offset
    raw = bytearray(archive.read_bytes())
    data_at = raw.index(b"PK\x03\x04", start) + 30 + len("a/1.png")
    raw[data_at + 1] ^= 0xFF  # damage the compressed bytes
    archive.write_bytes(bytes(raw))
    (entry,) = list_tree(archive)
    with pytest.raises(DatasetError, match="crc.zip/a/1.png: corrupt member"):
        entry.read()


def test_not_a_zip_and_missing_path(tmp_path):
    (tmp_path / "fake.zip").write_bytes(b"this is text")
    with pytest.raises(DatasetError, match="not a folder or a ZIP archive"):
        list_tree(tmp_path / "fake.zip")
    with pytest.raises(DatasetError, match="not found"):
        list_tree(tmp_path / "absent")
