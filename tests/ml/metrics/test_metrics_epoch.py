"""The trainer's per-epoch hook and the generator-level entry points, on a generator trained here at tiny size."""

import math

import numpy as np
import pytest

from ml.metrics.evaluator import PRETRAINED

EPOCH_KEYS = ("cond_acc", "cond_acc_min_class", "is", "bcis", "wcis", "fid")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    from ml.metrics.epoch import epoch_evaluator
    from ml.train.loop import train

    out = tmp_path_factory.mktemp("tinyrun")
    cfg = {"architecture": "cgan-strong", "dataset": "fixture", "epochs": 1, "steps_per_epoch": 2,
           "batch_size": 8, "eval_images": 200, "seed": 5}
    summary = train(cfg, out, evaluator=epoch_evaluator)
    assert summary["status"] == "succeeded"
    return out, summary


def test_digit_evaluator_is_shipped():
    for name in ("digits", "letters", "letters-cased", "alnum"):
        for file in ("model.keras", "model.json", "CARD.md", "real_stats.npz"):
            assert (PRETRAINED / name / file).is_file(), f"{name}/{file} missing"


def test_epoch_metrics_are_finite_and_in_range(tiny_run):
    _, summary = tiny_run
    metrics = summary["last_epoch_metrics"]
    for key in EPOCH_KEYS:
        assert math.isfinite(metrics[key]), key
    assert 0 <= metrics["cond_acc_min_class"] <= metrics["cond_acc"] <= 1
    assert 1 - 1e-6 <= metrics["bcis"] <= 10 + 1e-6 and metrics["wcis"] >= 1 - 1e-6
    assert metrics["fid"] > 0


def test_epoch_evaluator_uses_fixed_noise(tiny_run):
    import keras

    from ml.data.charset import get_charset
    from ml.metrics.epoch import epoch_evaluator

    out, _ = tiny_run
    model = keras.saving.load_model(out / "generator" / "model.keras", compile=False)
    cfg = {"eval_images": 100, "seed": 1, "latent_dim": 64}
    first = epoch_evaluator(model, cfg, get_charset("digits"))
    assert first == epoch_evaluator(model, cfg, get_charset("digits"))
    assert epoch_evaluator(model, {**cfg, "eval_images": 0}, get_charset("digits")) == {}


def test_no_evaluator_fits_an_unknown_charset(tiny_run):
    from ml.data.charset import Charset
    from ml.metrics.epoch import epoch_evaluator

    odd = Charset("symbols", tuple("+-*/=<>!?#"))
    assert epoch_evaluator(None, {"eval_images": 10, "seed": 0, "latent_dim": 64}, odd) == {}


def test_smoke_check_and_full_report_on_the_exported_generator(tiny_run):
    from ml.metrics.report import evaluate_generator, format_report
    from ml.metrics.smoke import smoke_check

    out, _ = tiny_run
    smoke = smoke_check(out / "generator", per_class=5)
    assert smoke["n"] == 50 and 0 <= smoke["cond_acc"] <= 1 and smoke["evaluator"] == "digits"
    result = evaluate_generator(out / "generator", n=300, seed=2)
    assert result["n"] == 300 and set(result["per_class_accuracy"]) == set("0123456789")
    matrix = np.array(result["confusion_matrix"])  # for the run page's final-evaluation table
    assert result["classes"] == list("0123456789") and matrix.shape == (10, 10) and matrix.sum() == 300
    assert (matrix.sum(axis=1) == 30).all()
    assert np.isfinite([result["metrics"][k] for k in EPOCH_KEYS]).all()
    text = format_report(result)
    assert "conditioning accuracy" in text and "FID" in text and "MISSED" in text  # an untrained G misses
