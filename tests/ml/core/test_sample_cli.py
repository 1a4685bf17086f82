import subprocess
import sys

import numpy as np

from ml.train.loop import train


def test_sample_cli_writes_the_documented_format(tmp_path):
    train({"architecture": "cgan-strong", "dataset": "fixture", "epochs": 1, "steps_per_epoch": 1, "batch_size": 8},
          tmp_path / "run")
    out = tmp_path / "s.npz"
    done = subprocess.run([sys.executable, "-m", "ml.sample", "--model", str(tmp_path / "run/generator"),
                           "--per-class", "3", "--seed", "7", "--out", str(out)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    data = np.load(out)
    assert data["images"].shape == (30, 28, 28) and data["images"].dtype == np.uint8
    assert data["labels"].tolist()[:4] == ["0", "0", "0", "1"] and data["labels"].dtype.kind == "U"


def test_sample_cli_reports_a_missing_model(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ml.sample", "--model", str(tmp_path / "nope"), "--out",
                           str(tmp_path / "x.npz")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "not found" in done.stderr


def test_exported_keras_file_alone_is_self_describing(tmp_path):
    import shutil

    from ml.generator import Generator, read_metadata

    train({"architecture": "cgan-strong", "dataset": "fixture", "epochs": 1, "steps_per_epoch": 1, "batch_size": 8},
          tmp_path / "run")
    lone = tmp_path / "copy" / "weights.keras"
    lone.parent.mkdir()
    shutil.copy(tmp_path / "run/generator/model.keras", lone)
    assert read_metadata(lone)["charset"]["name"] == "digits"
    assert Generator(lone).draw([4, 5]).shape == (2, 28, 28)
