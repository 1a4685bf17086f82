"""The one training loop for every architecture.

Readable top to bottom: set up (or resume) -> for each epoch: steps, report,
sample grid, evaluate, checkpoint -> export. All randomness is derived from the
config's seed and the epoch number, so a resumed run replays what an
uninterrupted one would have done.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras
import numpy as np
from tqdm import tqdm

from ml.data.pipeline import BatchStream
from ml.provenance import device_description, git_commit, package_versions
from ml.train import checkpoint
from ml.train.config import validate_config
from ml.train.data import load_for_training
from ml.train.export import export_generator
from ml.train.gan import Gan
from ml.train.grid import grid_png, to_uint8
from ml.train.sink import FileSink, MultiSink, Sink, StopFileSink


def make_step(gan: Gan):
    backend = keras.backend.backend()
    if backend == "tensorflow":
        from ml.train.step_tf import make_train_step
    elif backend == "jax":
        from ml.train.step_jax import make_train_step
    else:
        raise RuntimeError(f"the trainer supports the tensorflow and jax backends, not {backend}")
    return make_train_step(gan)


def fixed_grid_inputs(cfg: dict, n_classes: int):
    rng = np.random.default_rng((cfg["seed"], 7_777))
    per = cfg["grid_per_class"]
    labels = np.repeat(np.arange(n_classes, dtype=np.int32), per)
    return rng.standard_normal((len(labels), cfg["latent_dim"])).astype(np.float32), labels


def draw(model: keras.Model, z: np.ndarray, labels: np.ndarray, batch: int = 1024) -> np.ndarray:
    out = [keras.ops.convert_to_numpy(model([z[i:i + batch], labels[i:i + batch]], training=False))
           for i in range(0, len(labels), batch)]
    return np.concatenate(out)


def train(raw_cfg: dict, out_dir, **kwargs) -> dict:
    """Train (or resume) one run in ``out_dir``; return a summary with the final status.

    Keras keeps the dtype policy per process: set it for this run and put the caller's
    back afterwards, so a mixed-precision run never leaks bfloat16 into the next one.
    """
    cfg = validate_config(raw_cfg)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16" if cfg["mixed_precision"] else "float32")
    try:
        return _train(cfg, Path(out_dir), **kwargs)
    finally:
        keras.config.set_dtype_policy(previous)


def _train(cfg: dict, out: Path, *, sink: Sink | None = None, resume: bool = False, data=None,
           evaluator=None, progress: bool = False) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    sink = MultiSink(FileSink(out), StopFileSink(out), *([sink] if sink else []))
    keras.utils.set_random_seed(cfg["seed"])

    data = data or load_for_training(cfg)
    train_set = data["train"]
    charset = train_set.charset
    if keras.backend.backend() == "jax":
        from ml.train.step_jax import setup_distribution

        setup_distribution()
    stream = BatchStream(train_set, batch_size=cfg["batch_size"], seed=cfg["seed"], balanced=cfg["balanced"],
                         steps_per_epoch=cfg["steps_per_epoch"])
    gan = Gan(cfg, charset.n_classes, total_steps=cfg["epochs"] * stream.steps_per_epoch)

    start_epoch, elapsed = 1, 0.0
    restored = checkpoint.latest(out) if resume else None
    if restored:
        state, arrays = restored
        gan.set_state(arrays)
        start_epoch, elapsed = state["epoch"] + 1, state.get("train_seconds", 0.0)
    train_step, d_only_step = make_step(gan)
    sync = getattr(train_step, "sync", lambda: None)  # JAX keeps state outside Keras variables
    backend, device = device_description()
    info = {"config": cfg, "charset": charset.to_dict(), "seed": cfg["seed"], "versions": package_versions(),
            "git_commit": git_commit(), "backend": backend, "device": device, "start_epoch": start_epoch,
            "epochs": cfg["epochs"], "steps_per_epoch": stream.steps_per_epoch,
            "g_params": gan.generator.count_params(), "d_params": gan.discriminator.count_params(),
            "train_images": len(train_set)}
    (out / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True))
    (out / "run.json").write_text(json.dumps(info, indent=2, sort_keys=True, default=str))
    sink.on_start(info)

    if start_epoch == 1 and cfg.get("d_pretrain_steps"):
        rng = np.random.default_rng((cfg["seed"], 0, 1))
        batches = stream.epoch(0)
        for _ in range(cfg["d_pretrain_steps"]):
            real, labels = next(batches, (None, None))
            if real is None:
                batches = stream.epoch(0)
                real, labels = next(batches)
            d_only_step(real, labels, rng.standard_normal((len(labels), cfg["latent_dim"]), np.float32))

    grid_z, grid_labels = fixed_grid_inputs(cfg, charset.n_classes)
    status, epoch_metrics = "succeeded", {}
    for epoch in range(start_epoch, cfg["epochs"] + 1):
        rng = np.random.default_rng((cfg["seed"], epoch, 1))
        pending, sums, t0, stopped = [], {}, time.perf_counter(), False
        bar = tqdm(total=stream.steps_per_epoch, desc=f"epoch {epoch}/{cfg['epochs']}", disable=not progress,
                   leave=False)
        for step, (real, labels) in enumerate(stream.epoch(epoch), start=1):
            z = rng.standard_normal((2, len(labels), cfg["latent_dim"]), np.float32)
            pending.append(train_step(real, labels, z[0], z[1]))
            if step % cfg["log_every"] == 0 or step == stream.steps_per_epoch:
                window = {k: float(np.mean([keras.ops.convert_to_numpy(m[k]) for m in pending])) for k in pending[0]}
                for k, v in window.items():
                    sums[k] = sums.get(k, 0.0) + v * len(pending)
                global_step = (epoch - 1) * stream.steps_per_epoch + step
                sink.on_steps(epoch, step, global_step, window)
                bar.update(len(pending))
                bar.set_postfix(d=f"{window['d_loss']:.3f}", g=f"{window['g_loss']:.3f}")
                pending = []
                if sink.should_stop():
                    stopped = True
                    break
        bar.close()
        if stopped:
            status = "cancelled"
            break
        seconds = time.perf_counter() - t0
        elapsed += seconds
        epoch_metrics = {k: v / stream.steps_per_epoch for k, v in sums.items()}
        epoch_metrics.update(images_per_second=stream.steps_per_epoch * cfg["batch_size"] / seconds,
                             epoch_seconds=seconds)
        sync()
        grid = to_uint8(draw(gan.sampling_generator, grid_z, grid_labels))
        if evaluator is not None and cfg["eval_images"]:
            epoch_metrics.update(evaluator(gan.sampling_generator, cfg, charset))
        sink.on_epoch(epoch, epoch_metrics, grid_png(grid, rows=charset.n_classes))
        path = checkpoint.save(out, epoch, gan.get_state(), {"train_seconds": elapsed})
        sink.on_checkpoint(epoch, path)
        if progress:
            tqdm.write(f"epoch {epoch}: " + ", ".join(f"{k}={v:.4g}" for k, v in epoch_metrics.items()))

    summary = {"status": status, "train_seconds": elapsed, "last_epoch_metrics": epoch_metrics}
    if status == "succeeded":
        summary["generator"] = str(export_generator(gan, cfg, charset, out / "generator",
                                                    extra={"train_seconds": elapsed, **info}))
    sink.on_end(status, summary)
    return summary
