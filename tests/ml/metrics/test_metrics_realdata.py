"""The shipped evaluators read the real test sets at least as well as their cards promise (needs the datasets)."""

import functools
import json

import numpy as np
import pytest

from ml.data.sources import default_data_root
from ml.metrics.evaluator import PRETRAINED

pytestmark = pytest.mark.realdata

# Floors: the evaluators must read > 99 % of MNIST and >= 93 % of the letters test split; the
# union and case-aware evaluators have no stated target, so their floors sit just
# under what they measured (their cards), to catch a broken or swapped file.
FLOORS = {"digits": 0.99, "letters": 0.93, "alnum": 0.93, "letters-cased": 0.92}
# The union's test set is MNIST's plus the letters' (both checked in full above), so a
# seeded subsample is enough to show the union file reads both; it keeps this module fast.
SUBSAMPLE = {"alnum": 8_000}


@pytest.fixture(scope="module")
def test_sets():
    root = default_data_root()
    if not (root / "mnist").is_dir() or not (root / "emnist-letters-partial").is_dir():
        pytest.skip(f"real datasets not found under {root}")
    from ml.metrics.data import real_sets

    return functools.cache(lambda name: real_sets(name, root)["test"])


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_shipped_evaluator_accuracy_on_the_real_test_set(name, test_sets):
    from ml.metrics.data import subsample
    from ml.metrics.evaluator import load_evaluator

    evaluator = load_evaluator(PRETRAINED / name)
    test = test_sets(name)
    assert evaluator.charset == test.charset
    if name in SUBSAMPLE:
        test = test.subset(subsample(len(test), SUBSAMPLE[name], seed=0))
    accuracy = float(np.mean(evaluator.probs(test.images).argmax(1) == test.labels))
    assert accuracy >= FLOORS[name]
    recorded = json.loads((PRETRAINED / name / "model.json").read_text())["test_accuracy"]
    # on the full set, the card's figure is exactly what this machine measures
    assert accuracy == pytest.approx(recorded, abs=2e-3 if name not in SUBSAMPLE else 1e-2)


def test_small_evaluator_is_sized_like_the_reference():
    meta = json.loads((PRETRAINED / "digits" / "model.json").read_text())
    assert meta["architecture"] == "small" and 9_000 <= meta["params"] <= 13_000
