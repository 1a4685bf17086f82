"""The reference conditional GAN, built as its authors describe it (our baseline to beat)."""

from __future__ import annotations

import keras
from keras import layers

from ml.models.blocks import activation, inputs_d, inputs_g, label_map


def build_generator(cfg: dict, n_classes: int) -> keras.Model:
    z, label = inputs_g(cfg["latent_dim"])
    act = cfg["activation"]
    x = layers.Dense(96 * 7 * 7)(z)
    x = activation(act)(x)
    x = layers.Reshape((7, 7, 96))(x)
    if cfg["conditional"]:
        x = layers.Concatenate()([x, label_map(label, n_classes, 7)])
    for _ in range(2):
        x = layers.Conv2DTranspose(128, 4, strides=2, padding="same")(x)
        if cfg["batch_norm"]:
            x = layers.BatchNormalization()(x)
        x = activation(act)(x)
    out = layers.Conv2D(1, 7, padding="same", activation="tanh")(x)
    return keras.Model([z, label], out, name="generator")


def build_discriminator(cfg: dict, n_classes: int) -> keras.Model:
    image, label = inputs_d()
    act = cfg["activation"]
    x = image
    if cfg["conditional"]:
        x = layers.Concatenate()([image, label_map(label, n_classes, 28)])
    for _ in range(2):
        x = layers.Conv2D(128, 3, strides=2, padding="same")(x)
        x = activation(act)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.4)(x)
    logit = layers.Dense(1, name="adv")(x)  # the sigmoid lives in the loss, for numerical stability
    return keras.Model([image, label], logit, name="discriminator")
