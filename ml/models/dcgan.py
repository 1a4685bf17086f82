"""DCGAN (Radford et al. 2015) at 28x28, conditional by a one-hot latent and a label channel."""

from __future__ import annotations

import keras
from keras import layers

from ml.models.blocks import dcgan_init, inputs_d, inputs_g, label_map, one_hot


def build_generator(cfg: dict, n_classes: int) -> keras.Model:
    z, label = inputs_g(cfg["latent_dim"])
    init = dcgan_init()
    x = layers.Concatenate()([z, one_hot(label, n_classes)]) if cfg["conditional"] else z
    x = layers.Dense(7 * 7 * 256, use_bias=False, kernel_initializer=init)(x)
    x = layers.Reshape((7, 7, 256))(x)
    for filters, stride in ((128, 1), (64, 2)):
        if cfg["batch_norm"]:
            x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.Conv2DTranspose(filters, 5, strides=stride, padding="same", use_bias=False,
                                   kernel_initializer=init)(x)
    if cfg["batch_norm"]:
        x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    out = layers.Conv2DTranspose(1, 5, strides=2, padding="same", activation="tanh", kernel_initializer=init)(x)
    return keras.Model([z, label], out, name="generator")


def build_discriminator(cfg: dict, n_classes: int) -> keras.Model:
    image, label = inputs_d()
    init = dcgan_init()
    x = layers.Concatenate()([image, label_map(label, n_classes, 28)]) if cfg["conditional"] else image
    for filters in (64, 128):
        x = layers.Conv2D(filters, 5, strides=2, padding="same", kernel_initializer=init)(x)
        x = layers.LeakyReLU(0.2)(x)
        x = layers.Dropout(0.3)(x)
    x = layers.Flatten()(x)
    return keras.Model([image, label], layers.Dense(1, name="adv", kernel_initializer=init)(x), name="discriminator")
