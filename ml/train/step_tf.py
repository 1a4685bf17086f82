"""The TensorFlow half of the gradient step: GradientTape under a compiled tf.function.

XLA only where a GPU is visible: on the CPU, XLA lowers convolutions to its own
Eigen kernels instead of oneDNN's, which is slower (figures in ml/README.md,
from benchmarks/train_throughput.py). oneDNN also gives bfloat16 its AMX path,
which is what ``mixed_precision`` buys on such CPUs.
"""

from __future__ import annotations

import tensorflow as tf
from keras import ops

from ml.train.gan import Gan


def grad_stats(grads):
    flat = tf.concat([tf.reshape(g, [-1]) for g in grads if g is not None], axis=0)
    return ops.mean(ops.abs(flat)), ops.std(flat)


def as_float32(metrics):
    """Mixed-precision losses come out in bfloat16, which NumPy cannot hold."""
    return {k: tf.cast(v, tf.float32) for k, v in metrics.items()}


def default_jit_compile() -> bool:
    return bool(tf.config.list_physical_devices("GPU"))


def make_train_step(gan: Gan, *, jit_compile: bool | None = None):
    G, D = gan.generator, gan.discriminator
    ema = gan.ema_generator
    jit_compile = default_jit_compile() if jit_compile is None else jit_compile

    def apply(opt, grads, variables):
        opt.apply_gradients(zip(grads, variables, strict=True))

    def update_ema():
        if ema is not None:  # batch-norm statistics are averaged too, so they match the averaged weights
            decay = gan.ema_decay(gan.g_opt.iterations)
            for e, v in zip(ema.variables, G.variables, strict=True):
                e.assign(decay * e + (1.0 - decay) * v if "float" in str(v.dtype) else v)

    def d_update(real, labels, z_d, g_training=True):
        with tf.GradientTape() as tape:
            fake = G([z_d, labels], training=g_training)
            d_loss, metrics = gan.d_losses(D([real, labels], training=True), D([fake, labels], training=True), labels)
        apply(gan.d_opt, tape.gradient(d_loss, D.trainable_variables), D.trainable_variables)
        return metrics

    def alternating(real, labels, z_d, z_g):
        metrics = d_update(real, labels, z_d)
        with tf.GradientTape() as tape:
            fake = G([z_g, labels], training=True)
            g_loss, g_metrics = gan.g_losses(D([fake, labels], training=True), labels)
        grads = tape.gradient(g_loss, G.trainable_variables)
        apply(gan.g_opt, grads, G.trainable_variables)
        return metrics, g_metrics, grads

    def simultaneous(real, labels, z_d, z_g):
        """Both losses from one forward pass: G's gradient sees D before D's update (z_g is unused)."""
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = G([z_d, labels], training=True)
            fake_out = D([fake, labels], training=True)
            d_loss, metrics = gan.d_losses(D([real, labels], training=True), fake_out, labels)
            g_loss, g_metrics = gan.g_losses(fake_out, labels)
        d_grads = d_tape.gradient(d_loss, D.trainable_variables)
        grads = g_tape.gradient(g_loss, G.trainable_variables)
        apply(gan.d_opt, d_grads, D.trainable_variables)
        apply(gan.g_opt, grads, G.trainable_variables)
        return metrics, g_metrics, grads

    both = simultaneous if gan.cfg["update"] == "simultaneous" else alternating

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def train_step(real, labels, z_d, z_g):
        metrics, g_metrics, grads = both(real, labels, z_d, z_g)
        metrics.update(g_metrics)
        metrics["g_grad_mean"], metrics["g_grad_std"] = grad_stats(grads)
        update_ema()
        return as_float32(metrics)

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def d_only_step(real, labels, z_d):
        """Discriminator pre-training (upsample-gan's option): D learns, G stays fixed."""
        return as_float32(d_update(real, labels, z_d, g_training=False))

    return train_step, d_only_step
