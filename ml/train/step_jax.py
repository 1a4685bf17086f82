"""The JAX half of the gradient step: stateless calls under one ``jax.jit``.

JAX wants pure functions, so the step threads every variable through explicitly
and writes them back into the Keras variables only at sync points (sample grid,
checkpoint, export). With several devices visible, ``keras.distribution``
replicates the variables and the batch is sharded over a "batch" axis; XLA then
all-reduces the gradients, so the maths equals one device on the whole batch.
"""

from __future__ import annotations

import jax
import keras
import numpy as np

from ml.train.gan import Gan


def setup_distribution():
    """Data parallelism over every visible device; call before the models are built."""
    devices = jax.devices()
    if len(devices) < 2:
        return None
    distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    return distribution


def _values(variables):
    return [v.value for v in variables]


def _float32(metrics):
    """Mixed-precision losses come out in bfloat16; the loop and sinks read float32."""
    return {k: v.astype(jax.numpy.float32) for k, v in metrics.items()}


def _grad_stats(grads):
    flat = jax.numpy.concatenate([jax.numpy.ravel(g) for g in grads])
    return jax.numpy.mean(jax.numpy.abs(flat)), jax.numpy.std(flat)


class JaxStep:
    def __init__(self, gan: Gan):
        self.gan = gan
        self.distribution = keras.distribution.distribution()
        G, D = gan.generator, gan.discriminator
        self.groups = {
            "g_tv": G.trainable_variables, "g_ntv": G.non_trainable_variables,
            "d_tv": D.trainable_variables, "d_ntv": D.non_trainable_variables,
            "g_opt": gan.g_opt.variables, "d_opt": gan.d_opt.variables,
        }
        if gan.ema_generator is not None:
            self.groups["e_tv"] = gan.ema_generator.trainable_variables
            self.groups["e_ntv"] = gan.ema_generator.non_trainable_variables
        self.state = {k: _values(v) for k, v in self.groups.items()}
        self.iterations_index = next(i for i, v in enumerate(gan.g_opt.variables) if v is gan.g_opt.iterations)
        self._step = jax.jit(self._train_step, donate_argnums=0)
        self._d_step = jax.jit(self._d_only_step, donate_argnums=0)

    # -- pure functions -------------------------------------------------------------------
    def _d_loss(self, d_tv, d_ntv, g_tv, g_ntv, real, labels, z, g_training=True):
        G, D = self.gan.generator, self.gan.discriminator
        fake, g_ntv = G.stateless_call(g_tv, g_ntv, [z, labels], training=g_training)
        real_out, d_ntv = D.stateless_call(d_tv, d_ntv, [real, labels], training=True)
        fake_out, d_ntv = D.stateless_call(d_tv, d_ntv, [fake, labels], training=True)
        loss, metrics = self.gan.d_losses(real_out, fake_out, labels)
        return loss, (metrics, d_ntv, g_ntv)

    def _g_loss(self, g_tv, g_ntv, d_tv, d_ntv, labels, z):
        G, D = self.gan.generator, self.gan.discriminator
        fake, g_ntv = G.stateless_call(g_tv, g_ntv, [z, labels], training=True)
        fake_out, d_ntv = D.stateless_call(d_tv, d_ntv, [fake, labels], training=True)
        loss, metrics = self.gan.g_losses(fake_out, labels)
        return loss, (metrics, g_ntv, d_ntv)

    def _both_losses(self, d_tv, g_tv, d_ntv, g_ntv, real, labels, z):
        """(D loss, G loss) from one G forward and one D pass, for the simultaneous update."""
        G, D = self.gan.generator, self.gan.discriminator
        fake, g_ntv = G.stateless_call(g_tv, g_ntv, [z, labels], training=True)
        real_out, d_ntv = D.stateless_call(d_tv, d_ntv, [real, labels], training=True)
        fake_out, d_ntv = D.stateless_call(d_tv, d_ntv, [fake, labels], training=True)
        d_loss, metrics = self.gan.d_losses(real_out, fake_out, labels)
        g_loss, g_metrics = self.gan.g_losses(fake_out, labels)
        return (d_loss, g_loss), ({**metrics, **g_metrics}, d_ntv, g_ntv)

    def _simultaneous(self, s, real, labels, z_d):
        """One forward, two pullbacks: D's gradient of its loss, G's of its own (D before its update)."""
        (d_loss, g_loss), pullback, (metrics, s["d_ntv"], s["g_ntv"]) = jax.vjp(
            lambda d_tv, g_tv: self._both_losses(d_tv, g_tv, s["d_ntv"], s["g_ntv"], real, labels, z_d),
            s["d_tv"], s["g_tv"], has_aux=True)
        ones, zeros = jax.numpy.ones_like, jax.numpy.zeros_like
        d_grads, _ = pullback((ones(d_loss), zeros(g_loss)))
        _, grads = pullback((zeros(d_loss), ones(g_loss)))
        s["d_tv"], s["d_opt"] = self.gan.d_opt.stateless_apply(s["d_opt"], d_grads, s["d_tv"])
        s["g_tv"], s["g_opt"] = self.gan.g_opt.stateless_apply(s["g_opt"], grads, s["g_tv"])
        return metrics, grads

    def _alternating(self, s, real, labels, z_d, z_g):
        (_, (metrics, s["d_ntv"], s["g_ntv"])), grads = jax.value_and_grad(self._d_loss, has_aux=True)(
            s["d_tv"], s["d_ntv"], s["g_tv"], s["g_ntv"], real, labels, z_d)
        s["d_tv"], s["d_opt"] = self.gan.d_opt.stateless_apply(s["d_opt"], grads, s["d_tv"])
        (_, (g_metrics, s["g_ntv"], s["d_ntv"])), grads = jax.value_and_grad(self._g_loss, has_aux=True)(
            s["g_tv"], s["g_ntv"], s["d_tv"], s["d_ntv"], labels, z_g)
        s["g_tv"], s["g_opt"] = self.gan.g_opt.stateless_apply(s["g_opt"], grads, s["g_tv"])
        metrics.update(g_metrics)
        return metrics, grads

    def _train_step(self, s, real, labels, z_d, z_g):
        s = dict(s)
        if self.gan.cfg["update"] == "simultaneous":
            metrics, grads = self._simultaneous(s, real, labels, z_d)
        else:
            metrics, grads = self._alternating(s, real, labels, z_d, z_g)
        metrics["g_grad_mean"], metrics["g_grad_std"] = _grad_stats(grads)
        if "e_tv" in s:  # batch-norm statistics are averaged too, so they match the averaged weights
            decay = self.gan.ema_decay(s["g_opt"][self.iterations_index])
            s["e_tv"] = [decay * e + (1.0 - decay) * v for e, v in zip(s["e_tv"], s["g_tv"], strict=True)]
            s["e_ntv"] = [decay * e + (1.0 - decay) * v if jax.numpy.issubdtype(v.dtype, jax.numpy.floating) else v
                          for e, v in zip(s["e_ntv"], s["g_ntv"], strict=True)]
        return s, _float32(metrics)

    def _d_only_step(self, s, real, labels, z_d):
        s = dict(s)
        (_, (metrics, s["d_ntv"], _)), grads = jax.value_and_grad(self._d_loss, has_aux=True)(
            s["d_tv"], s["d_ntv"], s["g_tv"], s["g_ntv"], real, labels, z_d, False)
        s["d_tv"], s["d_opt"] = self.gan.d_opt.stateless_apply(s["d_opt"], grads, s["d_tv"])
        return s, _float32(metrics)

    # -- the interface the loop uses --------------------------------------------------------
    def _shard(self, *arrays):
        if self.distribution is None:
            return arrays
        return tuple(jax.device_put(a, self.distribution.get_data_layout(a.shape).backend_layout) for a in arrays)

    def __call__(self, real, labels, z_d, z_g):
        self.state, metrics = self._step(self.state, *self._shard(real, np.asarray(labels, np.int32), z_d, z_g))
        return metrics

    def d_only(self, real, labels, z_d):
        self.state, metrics = self._d_step(self.state, *self._shard(real, np.asarray(labels, np.int32), z_d))
        return metrics

    def sync(self):
        """Write the jitted state back into the Keras variables (before sampling or saving)."""
        for key, variables in self.groups.items():
            for var, value in zip(variables, self.state[key], strict=True):
                var.assign(value)


def make_train_step(gan: Gan):
    step = JaxStep(gan)
    return step, step.d_only
