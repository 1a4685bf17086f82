"""Everything that learns in one run: G, D, their optimizers and G's EMA copy.

Kept apart from the loop so the TensorFlow and JAX steps, checkpoints and the
exporter all see the same variables in the same order.
"""

from __future__ import annotations

import inspect

import keras
import numpy as np

from ml.models.registry import build
from ml.train import losses
from ml.train.schedule import linear_tail

OPTIMIZER_CLASSES = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop}


def make_optimizer(spec: dict, decay_start: float | None = None, total_steps: int | None = None) -> keras.Optimizer:
    """The optimizer a spec names; with ``decay_start`` its rate becomes a ``LinearTail`` over ``total_steps``.

    The tail starts from the spec's rate, or from the optimizer's own default when the
    spec gives none, so decay never changes the rate a run starts with.
    """
    cls = OPTIMIZER_CLASSES[spec["name"]]
    kwargs = {k: v for k, v in spec.items() if k != "name"}
    if decay_start is not None and total_steps:
        base = kwargs.get("learning_rate", inspect.signature(cls).parameters["learning_rate"].default)
        kwargs["learning_rate"] = linear_tail(base, decay_start, total_steps)
    return cls(**kwargs)


def split_outputs(out):
    """D returns its adversarial logit, plus class logits when it has a class head."""
    if isinstance(out, list | tuple):
        return out[0], (out[1] if len(out) > 1 else None)
    return out, None


class Gan:
    def __init__(self, cfg: dict, n_classes: int, total_steps: int | None = None):
        """``total_steps`` (one G and one D update each) places the end of ``lr_decay_start``'s decay."""
        self.cfg = cfg
        self.n_classes = n_classes
        self.generator, self.discriminator = build(cfg, n_classes)
        self.ema_generator = None
        if cfg["ema"]:
            self.ema_generator, _ = build(cfg, n_classes)
            self.ema_generator.set_weights(self.generator.get_weights())
        decay = cfg.get("lr_decay_start")
        self.g_opt = make_optimizer(cfg["g_optimizer"], decay, total_steps)
        self.d_opt = make_optimizer(cfg["d_optimizer"], decay, total_steps)
        self.g_opt.build(self.generator.trainable_variables)
        self.d_opt.build(self.discriminator.trainable_variables)

    # -- losses shared by every backend ------------------------------------------------
    def d_losses(self, d_real_out, d_fake_out, labels):
        real, cls_real = split_outputs(d_real_out)
        fake, _ = split_outputs(d_fake_out)
        loss = losses.d_adversarial(self.cfg["loss"], real, fake, self.cfg["label_smoothing"])
        metrics = {"d_acc_real": losses.accuracy_real(real), "d_acc_fake": losses.accuracy_fake(fake)}
        if cls_real is not None:
            aux = losses.class_cross_entropy(cls_real, labels)
            loss = loss + self.cfg["aux_weight"] * aux
            metrics["d_aux_loss"] = aux
        metrics["d_loss"] = loss
        return loss, metrics

    def g_losses(self, d_fake_out, labels):
        fake, cls_fake = split_outputs(d_fake_out)
        loss = losses.g_adversarial(self.cfg["loss"], fake)
        metrics = {}
        if cls_fake is not None:
            aux = losses.class_cross_entropy(cls_fake, labels)
            loss = loss + self.cfg["aux_weight"] * aux
            metrics["g_aux_loss"] = aux
        metrics["g_loss"] = loss
        return loss, metrics

    def ema_decay(self, iterations):
        """Warm-up decay min(d, (1+t)/(10+t)): early on the average must forget the random init fast."""
        t = keras.ops.cast(iterations, "float32")
        return keras.ops.minimum(float(self.cfg["ema"]), (1.0 + t) / (10.0 + t))

    # -- state for checkpoints ----------------------------------------------------------
    def state_variables(self) -> dict[str, list]:
        parts = {
            "generator": self.generator.variables,
            "discriminator": self.discriminator.variables,
            "g_opt": self.g_opt.variables,
            "d_opt": self.d_opt.variables,
        }
        if self.ema_generator is not None:
            parts["ema_generator"] = self.ema_generator.variables
        return parts

    def get_state(self) -> dict[str, np.ndarray]:
        return {f"{part}/{i}": keras.ops.convert_to_numpy(v)
                for part, variables in self.state_variables().items() for i, v in enumerate(variables)}

    def set_state(self, arrays) -> None:
        for part, variables in self.state_variables().items():
            for i, v in enumerate(variables):
                v.assign(arrays[f"{part}/{i}"])

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator that samples and ships: the EMA copy when there is one."""
        return self.ema_generator or self.generator
