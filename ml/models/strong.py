"""cgan-strong: the architecture HandGen ships (see its model card for the measurements).

Why each part: the projection term (Miyato & Koyama 2018) makes D judge the
image *for its label*, and the auxiliary class head trained on real images
(Odena et al. 2017) gives G a direct signal to draw the requested character —
together they fix the reference model's label mismatches. Batch norm and a
small, wide-enough G keep CPU training to minutes per epoch; EMA of G's
weights (kept by the trainer) smooths the samples that ship.
"""

from __future__ import annotations

import keras
from keras import layers

from ml.models.blocks import inputs_d, inputs_g


def build_generator(cfg: dict, n_classes: int) -> keras.Model:
    z, label = inputs_g(cfg["latent_dim"])
    w = cfg["g_width"]
    x = z
    if cfg["conditional"]:
        x = layers.Concatenate()([z, layers.Embedding(n_classes, 32, name="g_label_embed")(label)])
    x = layers.Dense(7 * 7 * 2 * w, use_bias=not cfg["batch_norm"])(x)
    x = layers.Reshape((7, 7, 2 * w))(x)
    for filters in (w, w // 2):
        if cfg["batch_norm"]:
            x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=not cfg["batch_norm"])(x)
    if cfg["batch_norm"]:
        x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    out = layers.Conv2D(1, 3, padding="same", activation="tanh")(x)
    return keras.Model([z, label], out, name="generator")


@keras.saving.register_keras_serializable(package="handgen")
class Projection(layers.Layer):
    """<embed(y), h>: the class-conditional part of a projection discriminator's logit."""

    def __init__(self, n_classes: int, **kwargs):
        super().__init__(**kwargs)
        self.n_classes = n_classes

    def build(self, input_shape):
        self.embed = self.add_weight(shape=(self.n_classes, input_shape[0][-1]), initializer="glorot_uniform",
                                     name="class_embed")

    def call(self, inputs):
        h, label = inputs
        return keras.ops.sum(keras.ops.take(self.embed, label, axis=0) * h, axis=-1, keepdims=True)

    def get_config(self):
        return {**super().get_config(), "n_classes": self.n_classes}


def build_discriminator(cfg: dict, n_classes: int) -> keras.Model:
    image, label = inputs_d()
    w = cfg["d_width"]
    x = image
    for filters in (w, 2 * w):
        x = layers.Conv2D(filters, 4, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    h = layers.LeakyReLU(0.2)(layers.Dense(4 * w)(x))
    adv = layers.Dense(1)(h)
    if cfg["conditional"]:
        adv = layers.Add(name="adv")([adv, Projection(n_classes)([h, label])])
    outputs = [adv]
    if cfg["aux_weight"]:
        outputs.append(layers.Dense(n_classes, name="cls")(h))
    return keras.Model([image, label], outputs, name="discriminator")
