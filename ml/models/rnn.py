"""A discriminator that reads the image row by row with an LSTM (the seeds' RNN experiment)."""

from __future__ import annotations

import keras
from keras import layers

from ml.models.blocks import inputs_d
from ml.models.dcgan import build_generator  # noqa: F401  (rnn-d pairs the DCGAN generator)


def build_discriminator(cfg: dict, n_classes: int) -> keras.Model:
    image, label = inputs_d()
    rows = layers.Reshape((28, 28))(image)
    if cfg["conditional"]:
        emb = layers.Embedding(n_classes, 28)(label)
        rows = layers.Concatenate()([rows, layers.RepeatVector(28)(emb)])
    x = layers.LSTM(128)(rows)
    x = layers.LeakyReLU(0.2)(layers.Dense(64)(x))
    return keras.Model([image, label], layers.Dense(1, name="adv")(x), name="discriminator")
