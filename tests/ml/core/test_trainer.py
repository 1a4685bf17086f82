"""The trainer at tiny size: every architecture, resume equivalence, cancellation, export."""

import json

import numpy as np
import pytest

from ml.models import catalog
from ml.train.config import ConfigError, validate_config
from ml.train.loop import train
from ml.train.sink import Sink

TINY = {"dataset": "fixture", "epochs": 1, "steps_per_epoch": 2, "batch_size": 8, "log_every": 1, "seed": 5}


class RecordingSink(Sink):
    def __init__(self, stop_after_steps=None):
        self.steps, self.epochs, self.ends = [], [], []
        self.stop_after_steps = stop_after_steps

    def on_steps(self, epoch, step, global_step, metrics):
        self.steps.append((epoch, step, metrics))

    def on_epoch(self, epoch, metrics, grid_png):
        self.epochs.append((epoch, metrics, grid_png))

    def on_end(self, status, info):
        self.ends.append(status)

    def should_stop(self):
        return self.stop_after_steps is not None and len(self.steps) >= self.stop_after_steps


@pytest.mark.parametrize("arch", catalog.names())
def test_every_architecture_trains_and_exports(arch, tmp_path):
    sink = RecordingSink()
    summary = train({**TINY, "architecture": arch, "d_pretrain_steps": 2} if arch == "upsample-gan"
                    else {**TINY, "architecture": arch}, tmp_path, sink=sink)
    assert summary["status"] == "succeeded" and sink.ends == ["succeeded"]
    epoch, metrics, png = sink.epochs[0]
    for key in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake", "g_grad_mean", "g_grad_std", "images_per_second"):
        assert np.isfinite(metrics[key]), key
    assert png.startswith(b"\x89PNG")
    from ml.generator import Generator

    gen = Generator(tmp_path / "generator")
    images = gen.draw([0, 3, 9], seed=1)
    assert images.shape == (3, 28, 28) and images.dtype == np.uint8
    raw = gen.model.predict_on_batch([gen.latents(2, 0), np.array([1, 2], np.int32)])
    assert raw.shape == (2, 28, 28, 1) and raw.min() >= -1 and raw.max() <= 1
    saved = json.loads((tmp_path / "run.json").read_text())
    assert saved["seed"] == 5 and "keras" in saved["versions"] and saved["git_commit"]


def test_option_errors_are_clear():
    with pytest.raises(ConfigError, match="valid names: cgan-seed, cgan-strong"):
        validate_config({"architecture": "gan9000"})
    with pytest.raises(ConfigError) as err:
        validate_config({"architecture": "dcgan", "batch_size": 0, "loss": "l1", "g_optimizer": {"name": "lbfgs"},
                         "learning_rate": 1})
    message = str(err.value)
    for part in ("batch_size", "loss must be one of", "g_optimizer.name", "unknown options for dcgan: learning_rate"):
        assert part in message
    with pytest.raises(ConfigError, match="activation must be one of"):
        validate_config({"architecture": "cgan-seed", "activation": "relu6"})
    with pytest.raises(ConfigError, match="update must be one of alternating, simultaneous"):
        validate_config({"architecture": "cgan-seed", "update": "both"})


def test_simultaneous_update_matches_alternating_where_the_two_must_agree():
    """Same noise: D's update is identical; D all but frozen: G's update is identical (ml.train.update_check)."""
    from ml.train.update_check import compare

    result = compare()
    assert result["discriminator_moved"] > 1e-3 and result["generator_moved"] > 1e-3  # both really learned
    assert result["discriminator_diff"] <= 1e-6 and result["generator_diff"] <= 1e-6


@pytest.mark.parametrize("mixed_precision", [False, True])
def test_simultaneous_update_trains_cgan_seed(mixed_precision, tmp_path):
    sink = RecordingSink()
    cfg = {**TINY, "architecture": "cgan-seed", "update": "simultaneous", "mixed_precision": mixed_precision}
    assert train(cfg, tmp_path, sink=sink)["status"] == "succeeded"
    assert all(np.isfinite(m["d_loss"]) and np.isfinite(m["g_loss"]) for _, _, m in sink.steps)


def test_mixed_optimizers_and_options_are_honoured(tmp_path):
    cfg = {**TINY, "architecture": "dcgan", "g_optimizer": {"name": "adam", "learning_rate": 1e-3},
           "d_optimizer": {"name": "sgd", "learning_rate": 0.01, "momentum": 0.9}, "loss": "hinge",
           "label_smoothing": 0.1, "batch_norm": False, "conditional": False, "latent_dim": 16}
    assert train(cfg, tmp_path)["status"] == "succeeded"


def _epoch_losses(path):
    return [(row["epoch"], row["d_loss"], row["g_loss"]) for row in map(json.loads, open(path))]


@pytest.mark.parametrize("arch", ["cgan-strong", "cgan-seed"])  # cgan-seed has dropout: its RNG must resume too
def test_resume_gives_the_same_losses_as_an_uninterrupted_run(arch, tmp_path):
    cfg = {**TINY, "architecture": arch, "epochs": 3}
    train(cfg, tmp_path / "straight")
    train({**cfg, "epochs": 1}, tmp_path / "resumed")
    summary = train(cfg, tmp_path / "resumed", resume=True)
    assert summary["status"] == "succeeded"
    straight = _epoch_losses(tmp_path / "straight/metrics.jsonl")
    resumed = _epoch_losses(tmp_path / "resumed/metrics.jsonl")
    assert [r[0] for r in resumed] == [1, 2, 3]  # each epoch exactly once
    np.testing.assert_allclose(np.array(resumed)[:, 1:], np.array(straight)[:, 1:], rtol=1e-4, atol=1e-5)


def test_cancellation_stops_within_the_polling_interval(tmp_path):
    sink = RecordingSink(stop_after_steps=2)
    summary = train({**TINY, "architecture": "cgan-strong", "epochs": 3, "steps_per_epoch": 4}, tmp_path, sink=sink)
    assert summary["status"] == "cancelled" and sink.ends == ["cancelled"]
    assert len(sink.steps) == 2 and sink.epochs == []
    assert not (tmp_path / "generator").exists()


def test_linear_tail_schedule_holds_then_falls_to_zero():
    from ml.train.gan import make_optimizer
    from ml.train.schedule import LinearTail

    schedule = LinearTail(2e-4, start=6, total=10)
    values = [float(schedule(step)) for step in (0, 6, 8, 10, 12)]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 1e-4, 0.0, 0.0], atol=1e-12)
    assert float(make_optimizer({"name": "adam", "learning_rate": 1e-3}, None, 10).learning_rate) == pytest.approx(1e-3)
    decayed = make_optimizer({"name": "sgd"}, 0.5, 10)._learning_rate  # no rate given: SGD's own default
    assert isinstance(decayed, LinearTail) and (decayed.base, decayed.start, decayed.total) == (0.01, 5, 10)
    with pytest.raises(ConfigError, match="lr_decay_start must be null or a fraction"):
        validate_config({"lr_decay_start": 1.5})


def test_lr_decay_changes_later_steps_and_resumes_on_the_same_curve(tmp_path):
    cfg = {**TINY, "architecture": "cgan-strong", "steps_per_epoch": 3, "epochs": 2}
    plain, decayed = RecordingSink(), RecordingSink()
    train(cfg, tmp_path / "plain", sink=plain)
    train({**cfg, "lr_decay_start": 0.0}, tmp_path / "decayed", sink=decayed)
    first = [(m["d_loss"], m["g_loss"]) for _, _, m in plain.steps]
    second = [(m["d_loss"], m["g_loss"]) for _, _, m in decayed.steps]
    np.testing.assert_allclose(second[0], first[0], rtol=1e-6)  # step 1 runs at the full rate in both
    assert not np.allclose(second[-1], first[-1], rtol=1e-4)  # later steps took smaller updates
    stopped = train({**cfg, "lr_decay_start": 0.0}, tmp_path / "resumed", sink=RecordingSink(stop_after_steps=4))
    assert stopped["status"] == "cancelled"  # cancelled in epoch 2: the checkpoint of epoch 1 is what resumes
    train({**cfg, "lr_decay_start": 0.0}, tmp_path / "resumed", resume=True)
    np.testing.assert_allclose(np.array(_epoch_losses(tmp_path / "resumed/metrics.jsonl"))[:, 1:],
                               np.array(_epoch_losses(tmp_path / "decayed/metrics.jsonl"))[:, 1:], rtol=1e-4, atol=1e-5)
