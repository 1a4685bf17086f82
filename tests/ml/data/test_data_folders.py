"""A user's handwriting (folder or ZIP, a folder per character) and notMNIST's PNG folders."""

import numpy as np
import pytest
from data_fixtures import handwriting_members, make_zip, picture

from ml.data.errors import DatasetError
from ml.data.folders import folder_charset, read_character_folders
from ml.data.sources import load_named


def test_zip_of_handwriting_is_normalised_and_labelled(tmp_path):
    archive = make_zip(tmp_path / "mine.zip", handwriting_members("ab7", per_class=4))
    data, report = read_character_folders(archive)
    assert len(data) == 12 and report["images"] == 12 and report["skipped_unreadable"] == 0
    assert data.images.shape == (12, 28, 28) and data.images.dtype == np.uint8
    assert data.charset.classes == ("7", "a", "b")
    assert data.histogram() == {"7": 4, "a": 4, "b": 4}
    # Each class's pictures were drawn alike, so a class's glyphs resemble each other more than the others.
    mean = {c: data.images[data.labels == data.charset.class_of(c)].mean(0) for c in "ab7"}
    assert np.abs(mean["a"] - data.images[data.labels == 1][0]).mean() < np.abs(mean["b"] - mean["a"]).mean() * 1.5


def test_zip_of_a_wrapping_folder_and_jpegs(tmp_path):
    members = {f"my hand/{ch}/{i}.jpg": picture(k, seed=i, fmt="JPEG") for k, ch in enumerate("xy") for i in range(3)}
    data, _ = read_character_folders(make_zip(tmp_path / "hand.zip", members))
    assert data.histogram() == {"x": 3, "y": 3}


def test_folder_and_zip_give_identical_glyphs(tmp_path):
    members = handwriting_members("ab", per_class=2)
    for name, blob in members.items():
        (tmp_path / "set" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "set" / name).write_bytes(blob)
    from_folder, _ = read_character_folders(tmp_path / "set")
    from_zip, _ = read_character_folders(make_zip(tmp_path / "set.zip", members))
    assert np.array_equal(from_folder.images, from_zip.images)
    assert np.array_equal(from_folder.labels, from_zip.labels)


@pytest.mark.parametrize("name, problem", [
    ("ab/1.png", "folder name 'ab' is not a single character"),
    ("upper_A/1.png", "not a single character"),
    (" /1.png", "not a visible character"),
    ("loose.png", "file outside a character folder"),
])
def test_bad_layouts_name_the_file(tmp_path, name, problem):
    members = {**handwriting_members("a", per_class=1), name: picture(1)}
    with pytest.raises(DatasetError, match=problem) as info:
        read_character_folders(make_zip(tmp_path / "bad.zip", members))
    assert name in str(info.value)


def test_one_unreadable_picture_fails_a_users_set(tmp_path):
    members = {**handwriting_members("ab", per_class=2), "b/notes.txt": b"my notes", "a/blank.png": b""}
    with pytest.raises(DatasetError, match=r"bad.zip/(a/blank.png|b/notes.txt): unreadable image"):
        read_character_folders(make_zip(tmp_path / "bad.zip", members))


def test_notmnist_layout_skips_and_counts_unreadable_files(tmp_path):
    root = tmp_path / "notMNIST_small"
    for k, ch in enumerate("ABCDEFGHIJ"):
        (root / ch).mkdir(parents=True)
        for i in range(3):
            (root / ch / f"{ch}{i}.png").write_bytes(picture(k, size=(28, 28), dark_on_light=False, seed=i))
    (root / "A" / "broken.png").write_bytes(picture(0)[:40])
    (root / "C" / "empty.png").write_bytes(b"")
    data, report = read_character_folders(tmp_path, skip_unreadable=True, charset_name="notmnist")
    assert len(data) == 30 and report["skipped_unreadable"] == 2
    assert {s["file"].split("/")[-1] for s in report["skipped_examples"]} == {"broken.png", "empty.png"}
    assert data.charset.classes == tuple("ABCDEFGHIJ") and data.charset.class_of("c") == 2
    splits = load_named("notmnist", tmp_path)
    assert len(splits["train"]) + len(splits["test"]) == 30


def test_folder_charsets():
    assert folder_charset("0123456789").name == "digits"
    assert folder_charset("abcdefghijklmnopqrstuvwxyz").name == "letters"
    mixed = folder_charset("AaBx")
    assert mixed.classes == ("A", "B", "a", "x") and mixed.case_aware
    assert mixed.class_of("b") == mixed.class_of("B") and mixed.class_of("X") == mixed.class_of("x")
    assert not folder_charset("xyz").case_aware


def test_folder_loader_split_is_seeded_and_stratified(tmp_path):
    archive = make_zip(tmp_path / "mine.zip", handwriting_members("ab", per_class=10))
    first, again = load_named("folder", archive), load_named("folder", archive)
    assert first["test"].histogram() == {"a": 1, "b": 1} and len(first["train"]) == 18
    assert np.array_equal(first["test"].images, again["test"].images)
    with pytest.raises(ValueError, match="needs data_root"):
        load_named("folder")
