"""The classification accuracy score on tiny fixture sets: it separates useful data from useless."""

from __future__ import annotations

import numpy as np

from ml.data.arrays import LabelledImages
from ml.data.fixture import make_fixture
from ml.metrics.cas import CasConfig, balanced_subset, cas_rows, format_table

CONFIG = CasConfig(per_class=40, epochs=4, batch_size=16, seed=0)


def test_cas_rewards_learnable_data_and_exposes_label_blind_data():
    real_train, real_test = make_fixture(600, seed=1), make_fixture(300, seed=2)
    good = make_fixture(400, seed=3)
    blind = LabelledImages(good.images, np.random.default_rng(0).permutation(good.labels), good.charset)

    rows = cas_rows(good, real_train, real_test, CONFIG)
    assert set(rows) == {"generated", "real", "real_plus_generated"}
    assert rows["generated"]["train_images"] == 400
    assert rows["real"]["train_images"] == 400  # 40 per class, like the generated set
    assert rows["real_plus_generated"]["train_images"] == 800
    assert rows["generated"]["accuracy"] > 0.9
    assert rows["real"]["accuracy"] > 0.9

    blind_rows = cas_rows(blind, real_train, real_test, CONFIG, with_real=False)
    assert set(blind_rows) == {"generated"}
    assert blind_rows["generated"]["accuracy"] < 0.4  # labels that do not match the glyphs teach nothing


def test_same_seed_same_score():
    real_test = make_fixture(200, seed=2)
    data = make_fixture(200, seed=3)
    a = cas_rows(data, data, real_test, CONFIG, with_real=False)["generated"]
    b = cas_rows(data, data, real_test, CONFIG, with_real=False)["generated"]
    assert a["accuracy"] == b["accuracy"]


def test_balanced_subset_takes_at_most_per_class():
    data = make_fixture(100, seed=0)
    sub = balanced_subset(data, 4, seed=0)
    assert np.bincount(sub.labels).tolist() == [4] * 10


def test_table_shows_the_real_row_once_per_charset():
    row = {"train_images": 10, "accuracy": 0.5, "accuracy_balanced": 0.5, "weakest_class": "3",
           "weakest_class_accuracy": 0.1}
    result = {"charset": "digits", "rows": {"generated": row, "real": row, "real_plus_generated": row}}
    table = format_table([("a", result), ("b", result)])
    assert table.count("real (class-balanced sample)") == 1
    assert "| digits | a |" in table and "| digits | b |" in table
