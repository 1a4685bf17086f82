"""The export CLI with a shipped generator, and the importer reading an export back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.data.importers import read_source
from ml.export.build import export_dataset
from ml.export.files import read_export
from ml.export_dataset import main
from tests.ml.export.fakes import FakeGenerator

SHIPPED = Path("ml/pretrained/digits-cgan-strong-v2/generator.keras")


@pytest.mark.skipif(not SHIPPED.exists(), reason="shipped digits generator not present")
def test_cli_writes_a_readable_export_and_refuses_zero_images(tmp_path, capsys):
    assert main(["--model", str(SHIPPED), "--per-class", "0", "--out", str(tmp_path / "x.zip")]) == 2
    assert "images per class must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
    assert main(["--model", str(SHIPPED), "--per-class", "4", "--format", "npz", "--seed", "2", "--reject",
                 "--out", str(tmp_path / "d.zip")]) == 0
    data, manifest = read_export(tmp_path / "d.zip")
    assert np.bincount(data.labels).tolist() == [4] * 10
    assert manifest["generator"]["name"] == "digits-cgan-strong-v2" and manifest["rejection"]["evaluator"] == "digits"


def test_the_importer_reads_an_export_as_a_stored_dataset(tmp_path):
    weights = tmp_path / "model.keras"
    weights.write_bytes(b"w")
    export_dataset(weights, tmp_path / "e.zip", fmt="png", seed=1, per_class=10, generator=FakeGenerator())
    source = read_source("export", tmp_path / "e.zip", label="e.zip")
    assert source.stored and source.kind == "digits" and source.loader == "imported"
    assert sum(len(s) for s in source.splits.values()) == 100
    assert source.report["export_seed"] == 1 and source.report["export_format"] == "png"
