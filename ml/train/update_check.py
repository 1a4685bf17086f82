"""Check the simultaneous update against the alternating one, on whichever backend is loaded.

The two schedules agree exactly in two cases, which pin down both gradients of
the simultaneous step: with the same noise for both halves, D's update is the same
(D learns from the same fake batch either way); and with D all but frozen (learning rate
1e-12), G's update is the same (G's gradient then sees the same D in both).
Prints JSON; the trainer tests run it in-process on TensorFlow and in a fresh
process on JAX.
"""

from __future__ import annotations

import json
import sys

import keras
import numpy as np

from ml.train.config import validate_config
from ml.train.gan import Gan
from ml.train.loop import make_step

# Plain SGD: Adam's first step is lr * sign(gradient), which turns float noise in a near-zero
# gradient into a full-size difference; SGD keeps a difference as small as its cause.
TINY = {"architecture": "cgan-strong", "batch_size": 8, "g_width": 8, "d_width": 8, "latent_dim": 16, "ema": None,
        "g_optimizer": {"name": "sgd", "learning_rate": 0.1}, "d_optimizer": {"name": "sgd", "learning_rate": 0.1}}


def _one_step(update: str, d_lr: float, state, batch):
    gan = Gan(validate_config({**TINY, "update": update}), 10)
    gan.set_state(state)
    gan.d_opt.learning_rate.assign(d_lr)  # (the state carries the optimizers' learning rates too)
    step, _ = make_step(gan)
    metrics = step(*batch)
    if hasattr(step, "sync"):
        step.sync()
    return gan, {k: float(keras.ops.convert_to_numpy(v)) for k, v in metrics.items()}


def _weights(gan, part):
    return getattr(gan, part).trainable_variables


def _max_diff(a, b) -> float:
    return max(float(np.max(np.abs(keras.ops.convert_to_numpy(x) - keras.ops.convert_to_numpy(y))))
               for x, y in zip(a, b, strict=True))


def compare() -> dict:
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    real = rng.uniform(-1, 1, (8, 28, 28, 1)).astype(np.float32)
    labels = rng.integers(0, 10, 8).astype(np.int32)
    z = rng.standard_normal((8, TINY["latent_dim"])).astype(np.float32)
    batch = (real, labels, z, z)
    start = Gan(validate_config(TINY), 10)
    state = start.get_state()
    out = {}
    for d_lr, part in ((0.1, "discriminator"), (1e-12, "generator")):
        alt, m_alt = _one_step("alternating", d_lr, state, batch)
        sim, m_sim = _one_step("simultaneous", d_lr, state, batch)
        out[f"{part}_diff"] = _max_diff(_weights(alt, part), _weights(sim, part))
        out[f"{part}_moved"] = _max_diff(_weights(alt, part), _weights(start, part))
        out[f"d_loss_{part}"] = [m_alt["d_loss"], m_sim["d_loss"]]
    return out


def main() -> int:
    print(json.dumps({"backend": keras.backend.backend(), **compare()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
