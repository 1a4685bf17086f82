"""Small pieces several architectures share: label inputs, label maps, activations."""

from __future__ import annotations

import keras
from keras import layers

IMAGE_SHAPE = (28, 28, 1)


def inputs_g(latent_dim: int):
    return keras.Input((latent_dim,), name="z"), keras.Input((), dtype="int32", name="label")


def inputs_d():
    return keras.Input(IMAGE_SHAPE, name="image"), keras.Input((), dtype="int32", name="label")


def label_map(label, n_classes: int, size: int, embed_dim: int = 10, name: str = "label_map"):
    """Embedding -> Dense(size*size) -> one (size, size, 1) map, as the reference cGAN conditions."""
    x = layers.Embedding(n_classes, embed_dim, name=f"{name}_embed")(label)
    x = layers.Dense(size * size, name=f"{name}_dense")(x)
    return layers.Reshape((size, size, 1), name=f"{name}_reshape")(x)


def one_hot(label, n_classes: int):
    return layers.Lambda(lambda y: keras.ops.one_hot(y, n_classes), name="one_hot")(label)


def activation(kind: str, name: str | None = None):
    if kind == "leaky_relu":
        return layers.LeakyReLU(0.2, name=name)
    return layers.Activation(kind, name=name)


def dcgan_init():
    return keras.initializers.RandomNormal(0.0, 0.02)
