"""The font-GAN style of the seeds: UpSampling2D generator, two-way softmax discriminator.

The generator's sigmoid output is rescaled to [-1, 1] so every architecture shares
one image range. The two-way softmax is kept, and its real-vs-fake logit difference
is what the trainer sees: softmax([a, b])[0] == sigmoid(a - b), the same model.
"""

from __future__ import annotations

import keras
from keras import layers

from ml.models.blocks import LogitDifference, inputs_d, inputs_g, label_map, one_hot


def build_generator(cfg: dict, n_classes: int) -> keras.Model:
    z, label = inputs_g(cfg["latent_dim"])
    x = layers.Concatenate()([z, one_hot(label, n_classes)]) if cfg["conditional"] else z
    x = layers.Dense(128 * 7 * 7)(x)
    x = layers.Reshape((7, 7, 128))(x)
    for filters in (128, 64):
        x = layers.UpSampling2D()(x)
        x = layers.Conv2D(filters, 3, padding="same")(x)
        if cfg["batch_norm"]:
            x = layers.BatchNormalization(momentum=0.8)(x)
        x = layers.ReLU()(x)
    x = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    out = layers.Rescaling(2.0, offset=-1.0)(x)
    return keras.Model([z, label], out, name="generator")


def build_discriminator(cfg: dict, n_classes: int) -> keras.Model:
    image, label = inputs_d()
    x = layers.Concatenate()([image, label_map(label, n_classes, 28)]) if cfg["conditional"] else image
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 3, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
        x = layers.Dropout(0.25)(x)
    x = layers.Flatten()(x)
    two_way = layers.Dense(2, name="real_fake")(x)  # softmax over (real, fake), applied in the loss
    logit = LogitDifference(name="adv")(two_way)
    return keras.Model([image, label], logit, name="discriminator")
