"""`manage.py import_dataset` and the import service end to end (PostgreSQL in CI): rows, files, failures."""

import io
from pathlib import Path

import numpy as np
import pytest
from dataset_fixtures import handwriting_zip_bytes, mnist_folder
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from PIL import Image

from generator_app.models import Dataset
from generator_app.services import datasets as service
from generator_app.services.run_config import build_training_config
from ml.data.idx import sha256_of
from ml.data.sources import default_data_root, load_named

pytestmark = pytest.mark.django_db


def stored_folders(media_root):
    root = media_root / "datasets"
    return sorted(p.name for p in root.iterdir() if p.name != "previews") if root.exists() else []


def test_importing_a_users_zip_creates_the_row_arrays_and_preview(tmp_path, media_root, capsys):
    archive = tmp_path / "my-hand.zip"
    archive.write_bytes(handwriting_zip_bytes("abc", per_class=10))
    call_command("import_dataset", "folder", str(archive), "--name", "Ada's hand")
    out = capsys.readouterr().out
    assert "imported dataset \"Ada's hand\"" in out and "train 27, test 3" in out and "near balanced" in out

    dataset = Dataset.objects.get(name="Ada's hand")
    assert (dataset.kind, dataset.source_format, dataset.charset) == ("custom", "folder", "custom")
    assert dataset.split_counts == {"train": 27, "test": 3}
    assert dataset.class_histogram["train"] == {"a": 9, "b": 9, "c": 9}
    assert dataset.charset_spec["classes"] == ["a", "b", "c"]
    assert dataset.file_sha256["my-hand.zip"] == sha256_of(archive)
    assert "stored/train-images-idx3-ubyte.gz" in dataset.file_sha256
    preview = Image.open(io.BytesIO(dataset.preview.read()))
    assert preview.size[1] == 3 * 28

    # A training run reads it back through ml's "imported" loader, checksums verified.
    config = build_training_config(dataset=dataset, architecture="cgan-strong", options={"epochs": 1})
    assert config["dataset"] == "imported"
    data = load_named(config["dataset"], config["data_root"])
    assert len(data["train"]) == 27 and data["train"].charset.classes == ("a", "b", "c")
    assert stored_folders(media_root) == [str(dataset.pk)]


def test_real_layout_is_read_in_place_not_copied(tmp_path, media_root):
    root = mnist_folder(tmp_path / "mnist")
    dataset = service.import_dataset(source_format="mnist", path=root)
    assert dataset.name == "MNIST" and dataset.kind == "digits"
    assert service.dataset_root(dataset) == root.resolve() and stored_folders(media_root) == []
    assert set(dataset.file_sha256) == {p.name for p in root.iterdir()}
    assert dataset.split_counts == {"train": 30, "test": 10}
    assert service.training_data_config(dataset) == {"dataset": "mnist", "data_root": str(root.resolve())}
    Dataset.objects.filter(pk=dataset.pk).update(storage_path="/nowhere/on/this/host")
    dataset.refresh_from_db()  # a worker host without that folder uses ml's default data folder
    assert service.training_data_config(dataset) == {"dataset": "mnist", "data_root": None}
    again = service.import_dataset(source_format="mnist", path=root)
    assert again.name == "MNIST (2)"  # default names never collide


@pytest.mark.parametrize("extra, problem", [
    ({"../../etc/evil.png": b"x"}, "unsafe name: path traversal"),
    ({"b/notes.txt": b"not a picture"}, "b/notes.txt: unreadable image"),
    ({"ab/1.png": b"x"}, "folder name 'ab' is not a single character"),
])
def test_bad_zip_fails_with_the_reason_and_leaves_nothing(tmp_path, media_root, extra, problem):
    archive = tmp_path / "bad.zip"
    archive.write_bytes(handwriting_zip_bytes("ab", per_class=3, extra=extra))
    with pytest.raises(CommandError, match=problem):
        call_command("import_dataset", "folder", str(archive))
    assert not Dataset.objects.exists() and stored_folders(media_root) == []


def test_command_errors_for_missing_files_and_duplicate_names(tmp_path, media_root):
    with pytest.raises(CommandError, match="not found"):
        call_command("import_dataset", "folder", str(tmp_path / "absent.zip"))
    root = mnist_folder(tmp_path / "mnist")
    call_command("import_dataset", "mnist", str(root), "--name", "digits")
    with pytest.raises(CommandError, match="A dataset named 'digits' already exists"):
        call_command("import_dataset", "mnist", str(root), "--name", "digits")
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(CommandError, match="t10k-labels-idx1-ubyte.gz: file not found"):
        call_command("import_dataset", "mnist", str(root), "--name", "broken")
    assert list(Dataset.objects.values_list("name", flat=True)) == ["digits"]


def test_a_failure_after_the_files_are_written_rolls_everything_back(tmp_path, media_root, monkeypatch):
    archive = tmp_path / "hand.zip"
    archive.write_bytes(handwriting_zip_bytes("ab", per_class=3))
    real_clean = Dataset.full_clean
    calls = []

    def fail_second_clean(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # after the arrays and the preview were written
            raise ValidationError("disk full (simulated)")
        return real_clean(self, *args, **kwargs)

    monkeypatch.setattr(Dataset, "full_clean", fail_second_clean)
    with pytest.raises(ValidationError, match="simulated"):
        service.import_dataset(source_format="folder", path=archive)
    assert not Dataset.objects.exists() and stored_folders(media_root) == []
    assert not list((media_root / "datasets" / "previews").glob("*"))


def test_fonts_import_renders_each_digit(tmp_path, media_root):
    from PIL import ImageFont

    try:
        font_bytes = ImageFont.load_default(20).font_bytes
    except AttributeError:
        pytest.skip("this Pillow has no bundled FreeType font")
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "aileron.ttf").write_bytes(font_bytes)
    call_command("import_dataset", "fonts", str(tmp_path / "fonts"), "--charset", "digits", "--variants", "5")
    dataset = Dataset.objects.get()
    assert dataset.kind == "fonts" and dataset.split_counts == {"train": 40, "test": 10}
    assert dataset.import_report["fonts"] == 1
    assert load_named("imported", service.dataset_root(dataset))["test"].histogram() == {str(d): 1 for d in range(10)}


@pytest.mark.django_db(transaction=True)
def test_delete_removes_stored_arrays_and_preview_after_commit(tmp_path, media_root):
    archive = tmp_path / "hand.zip"
    archive.write_bytes(handwriting_zip_bytes("ab", per_class=3))
    dataset = service.import_dataset(source_format="folder", path=archive)
    folder, preview = service.dataset_root(dataset), dataset.preview.path
    assert folder.is_dir()
    service.delete_dataset(dataset=dataset)
    assert not folder.exists() and not Path(preview).exists()
    assert archive.exists()  # the source is never touched


REAL = default_data_root()


@pytest.mark.realdata
@pytest.mark.skipif(not (REAL / "mnist").is_dir(), reason=f"real datasets not found at {REAL}")
def test_real_mnist_import(media_root, capsys):
    call_command("import_dataset", "mnist", str(REAL / "mnist"))
    dataset = Dataset.objects.get()
    assert dataset.split_counts == {"train": 60_000, "test": 10_000}
    assert dataset.class_histogram["test"]["1"] == 1135
    assert dataset.file_sha256["train-images-idx3-ubyte.gz"] == (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609")
    assert dataset.import_report["matches_published_release"] is True
    assert "near balanced (largest/smallest class = 1.24)" in capsys.readouterr().out
    img = np.asarray(Image.open(dataset.preview.path))
    assert img.shape == (10 * 28, 22 + 8 * 28)
