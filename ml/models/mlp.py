"""The fully connected GAN of the seeds, conditioned by concatenating a one-hot label."""

from __future__ import annotations

import keras
from keras import layers

from ml.models.blocks import inputs_d, inputs_g, one_hot


def build_generator(cfg: dict, n_classes: int) -> keras.Model:
    z, label = inputs_g(cfg["latent_dim"])
    x = layers.Concatenate()([z, one_hot(label, n_classes)]) if cfg["conditional"] else z
    for width in (256, 512, 1024):
        x = layers.Dense(width)(x)
        if cfg["batch_norm"]:
            x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Dense(784, activation="tanh")(x)
    return keras.Model([z, label], layers.Reshape((28, 28, 1))(x), name="generator")


def build_discriminator(cfg: dict, n_classes: int) -> keras.Model:
    image, label = inputs_d()
    x = layers.Flatten()(image)
    if cfg["conditional"]:
        x = layers.Concatenate()([x, one_hot(label, n_classes)])
    for width in (1024, 512, 256):
        x = layers.Dense(width)(x)
        x = layers.LeakyReLU(0.2)(x)
        x = layers.Dropout(0.3)(x)
    return keras.Model([image, label], layers.Dense(1, name="adv")(x), name="discriminator")
