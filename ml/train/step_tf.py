"""The TensorFlow half of the gradient step: GradientTape under an XLA-compiled tf.function."""

from __future__ import annotations

import tensorflow as tf
from keras import ops

from ml.train.gan import Gan


def grad_stats(grads):
    flat = tf.concat([tf.reshape(g, [-1]) for g in grads if g is not None], axis=0)
    return ops.mean(ops.abs(flat)), ops.std(flat)


def make_train_step(gan: Gan, *, jit_compile: bool = True):
    G, D = gan.generator, gan.discriminator
    ema = gan.ema_generator

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def train_step(real, labels, z_d, z_g):
        with tf.GradientTape() as tape:
            fake = G([z_d, labels], training=True)
            d_loss, metrics = gan.d_losses(D([real, labels], training=True), D([fake, labels], training=True), labels)
        grads = tape.gradient(d_loss, D.trainable_variables)
        gan.d_opt.apply_gradients(zip(grads, D.trainable_variables, strict=True))

        with tf.GradientTape() as tape:
            fake = G([z_g, labels], training=True)
            g_loss, g_metrics = gan.g_losses(D([fake, labels], training=True), labels)
        grads = tape.gradient(g_loss, G.trainable_variables)
        gan.g_opt.apply_gradients(zip(grads, G.trainable_variables, strict=True))
        metrics.update(g_metrics)
        metrics["g_grad_mean"], metrics["g_grad_std"] = grad_stats(grads)

        if ema is not None:  # batch-norm statistics are averaged too, so they match the averaged weights
            decay = gan.ema_decay(gan.g_opt.iterations)
            for e, v in zip(ema.variables, G.variables, strict=True):
                e.assign(decay * e + (1.0 - decay) * v if "float" in str(v.dtype) else v)
        return metrics

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def d_only_step(real, labels, z_d):
        """Discriminator pre-training (upsample-gan's option): D learns, G stays fixed."""
        with tf.GradientTape() as tape:
            fake = G([z_d, labels], training=False)
            d_loss, metrics = gan.d_losses(D([real, labels], training=True), D([fake, labels], training=True), labels)
        grads = tape.gradient(d_loss, D.trainable_variables)
        gan.d_opt.apply_gradients(zip(grads, D.trainable_variables, strict=True))
        return metrics

    return train_step, d_only_step
