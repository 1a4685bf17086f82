"""The shipped evaluators read the real test sets at least as well as their cards promise (needs the datasets)."""

import json

import numpy as np
import pytest

from ml.data.sources import default_data_root
from ml.metrics.evaluator import PRETRAINED

pytestmark = pytest.mark.realdata

# Floors: issue 7 asks > 99 % on MNIST and >= 93 % on the letters test split; the
# union and case-aware evaluators have no stated target, so their floors sit just
# under what they measured (their cards), to catch a broken or swapped file.
FLOORS = {"digits": 0.99, "letters": 0.93, "alnum": 0.93, "letters-cased": 0.91}


@pytest.fixture(scope="module")
def data_root():
    root = default_data_root()
    if not (root / "mnist").is_dir() or not (root / "emnist-letters-partial").is_dir():
        pytest.skip(f"real datasets not found under {root}")
    return root


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_shipped_evaluator_accuracy_on_the_real_test_set(name, data_root):
    from ml.metrics.data import real_sets
    from ml.metrics.evaluator import load_evaluator

    evaluator = load_evaluator(PRETRAINED / name)
    test = real_sets(name, data_root)["test"]
    assert evaluator.charset == test.charset
    accuracy = float(np.mean(evaluator.probs(test.images).argmax(1) == test.labels))
    assert accuracy >= FLOORS[name]
    # the card's figure is what this machine measures (the same files, the same data)
    recorded = json.loads((PRETRAINED / name / "model.json").read_text())["test_accuracy"]
    assert accuracy == pytest.approx(recorded, abs=2e-3)


def test_small_evaluator_is_sized_like_the_reference():
    meta = json.loads((PRETRAINED / "digits" / "model.json").read_text())
    assert meta["architecture"] == "small" and 9_000 <= meta["params"] <= 15_000
