"""Images per second of HandGen's trainer vs a keras-io ``conditional_gan``-style reference.

Same architecture (cgan-seed), batch size and data (MNIST, or the fixture set when the
real data is absent). The reference is written the keras-io way: a ``keras.Model``
subclass whose ``train_step`` uses ``tf.GradientTape``, driven by ``model.fit`` in graph
mode with ``jit_compile=False``. Ours is ``ml.train.loop.train`` end to end (pipeline,
host-side noise, compiled step), once per speed option: ``alternating`` is the same
schedule as the reference, ``simultaneous`` shares one forward pass between the D and
G updates, ``+bf16`` adds mixed precision (oneDNN's AMX path on CPUs that have it).
Run with the machine otherwise idle:

    .venv/bin/python benchmarks/train_throughput.py [--steps 60] [--batches 32 128] [--arch cgan-seed]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from ml.models.registry import build  # noqa: E402
from ml.train.config import validate_config  # noqa: E402
from ml.train.loop import train  # noqa: E402
from ml.train.sink import Sink  # noqa: E402


def load_data():
    from ml.data.sources import default_data_root, load_mnist

    if (default_data_root() / "mnist").is_dir():
        return "mnist", load_mnist()["train"]
    from ml.data.fixture import make_fixture

    return "fixture", make_fixture(4096)


class KerasIoStyleGAN(keras.Model):
    """The reference: how keras-io's conditional_gan example trains, around the same G and D."""

    def __init__(self, generator, discriminator, latent_dim):
        super().__init__()
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def compile(self, d_optimizer, g_optimizer):
        super().compile(jit_compile=False)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def train_step(self, data):
        import tensorflow as tf

        real, labels = data
        batch = tf.shape(real)[0]
        z = tf.random.normal((batch, self.latent_dim))
        fake = self.generator([z, labels])
        combined = tf.concat([fake, real], axis=0)
        both_labels = tf.concat([labels, labels], axis=0)
        target = tf.concat([tf.zeros((batch, 1)), tf.ones((batch, 1))], axis=0)
        with tf.GradientTape() as tape:
            d_loss = self.loss_fn(target, self.discriminator([combined, both_labels]))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights, strict=True))
        z = tf.random.normal((batch, self.latent_dim))
        with tf.GradientTape() as tape:
            g_loss = self.loss_fn(tf.ones((batch, 1)), self.discriminator([self.generator([z, labels]), labels]))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights, strict=True))
        return {"d_loss": d_loss, "g_loss": g_loss}


class _EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.t0


def reference_images_per_second(arch, data, batch, steps) -> float:
    import tensorflow as tf

    cfg = validate_config({"architecture": arch, "batch_size": batch})
    g, d = build(cfg, data.charset.n_classes)
    model = KerasIoStyleGAN(g, d, cfg["latent_dim"])
    model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    images = (data.images.astype(np.float32)[..., None] / 127.5) - 1.0
    ds = tf.data.Dataset.from_tensor_slices((images, data.labels)).shuffle(10_000, seed=0).repeat()
    ds = ds.batch(batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
    timer = _EpochTimer()
    model.fit(ds, epochs=2, steps_per_epoch=steps, verbose=0, callbacks=[timer])  # epoch 1 warms up / traces
    return steps * batch / timer.seconds


class _Rate(Sink):
    def on_epoch(self, epoch, metrics, grid_png):
        self.rate = metrics["images_per_second"]


# HandGen's trainer with the options that change speed (all other options at their defaults).
VARIANTS = {
    "alternating": {},
    "simultaneous": {"update": "simultaneous"},
    "simultaneous+bf16": {"update": "simultaneous", "mixed_precision": True},
}


def handgen_images_per_second(arch, data, batch, steps, options) -> float:
    sink = _Rate()
    cfg = {"architecture": arch, "batch_size": batch, "epochs": 2, "steps_per_epoch": steps, "log_every": steps,
           "dataset": "fixture", "seed": 0, **options}
    with tempfile.TemporaryDirectory() as out:
        train(cfg, out, sink=sink, data={"train": data})  # epoch 1 compiles; epoch 2 is timed
    return sink.rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="cgan-seed")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()
    name, data = load_data()
    print(f"hardware: {os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), "
          f"keras {keras.__version__} on {keras.backend.backend()}; data: {name} ({len(data)} images)")
    print(f"{'arch':<12}{'batch':>6}{'handgen update':>20}{'reference img/s':>17}{'handgen img/s':>15}{'ratio':>8}")
    tensorflow = keras.backend.backend() == "tensorflow"
    for batch in args.batches:
        ref = reference_images_per_second(args.arch, data, batch, args.steps) if tensorflow else float("nan")
        for variant in args.variants:
            ours = handgen_images_per_second(args.arch, data, batch, args.steps, VARIANTS[variant])
            print(f"{args.arch:<12}{batch:>6}{variant:>20}{ref:>17.0f}{ours:>15.0f}{ours / ref:>8.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
