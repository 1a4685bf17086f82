"""Every generator shipped under ml/pretrained/ loads, draws the documented format and reads right.

A broken or mislabelled file cannot ship: the smoke evaluation must read at least 90 % of
a few hundred images as the requested character.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PRETRAINED = Path(__file__).resolve().parents[3] / "ml" / "pretrained"
MANIFESTS = sorted(p for p in PRETRAINED.glob("*/manifest.json") if json.loads(p.read_text()).get("kind") == "generator")


def test_the_shipped_set_covers_digits_and_letters():
    charsets = {json.loads(p.read_text())["charset"] for p in MANIFESTS}
    assert "digits" in charsets and charsets & {"letters", "letters-cased"}, charsets
    total = sum(f.stat().st_size for p in MANIFESTS for f in p.parent.iterdir())
    assert total < 20 * 1024 * 1024


def test_each_shipped_charset_has_exactly_one_default():
    """A fresh install makes the manifest marked default the charset's default: two would race."""
    metas = [json.loads(p.read_text()) for p in MANIFESTS]
    for charset in {m["charset"] for m in metas}:
        defaults = [m["name"] for m in metas if m["charset"] == charset and m.get("default")]
        assert len(defaults) == 1, (charset, defaults)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[p.parent.name for p in MANIFESTS])
def test_shipped_generator_draws_the_documented_format(manifest, tmp_path):
    meta = json.loads(manifest.read_text())
    assert (manifest.parent / meta["model_card"]).is_file() and (manifest.parent / "config.json").is_file()
    out = tmp_path / "s.npz"
    done = subprocess.run([sys.executable, "-m", "ml.sample", "--model", str(manifest.parent / meta["weights"]),
                           "--per-class", "2", "--seed", "3", "--out", str(out)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    data = np.load(out)
    images, labels = data["images"], data["labels"]
    assert images.dtype == np.uint8 and images.shape[1:] == (28, 28) and len(images) == len(labels)
    assert images.max() > 200 and np.median(images) < 30  # white ink on black
    assert len(set(labels.tolist())) == len(labels) // 2


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[p.parent.name for p in MANIFESTS])
def test_shipped_generator_reads_as_the_requested_character(manifest):
    from ml.metrics.smoke import smoke_check

    meta = json.loads(manifest.read_text())
    result = smoke_check(manifest.parent / meta["weights"], per_class=20)
    assert result["cond_acc"] >= 0.90, result
