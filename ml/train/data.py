"""Config -> the training and evaluation image sets."""

from __future__ import annotations

from ml.data.arrays import LabelledImages
from ml.data.fixture import make_fixture
from ml.data.sources import load_named


def load_for_training(cfg: dict) -> dict[str, LabelledImages]:
    if cfg["dataset"] == "fixture":
        return {"train": make_fixture(512, seed=cfg["seed"]), "test": make_fixture(128, seed=cfg["seed"] + 1)}
    return load_named(cfg["dataset"], cfg.get("data_root"), distinct_forms=cfg["distinct_forms"])
