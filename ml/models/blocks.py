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


@keras.saving.register_keras_serializable(package="handgen")
class OneHot(layers.Layer):
    """A named layer rather than a Lambda, so saved models load without unsafe deserialisation."""

    def __init__(self, n_classes: int, **kwargs):
        super().__init__(**kwargs)
        self.n_classes = n_classes

    def call(self, label):
        return keras.ops.one_hot(label, self.n_classes)

    def get_config(self):
        return {**super().get_config(), "n_classes": self.n_classes}


@keras.saving.register_keras_serializable(package="handgen")
class LogitDifference(layers.Layer):
    """(real, fake) two-way logits -> one real-vs-fake logit: softmax([a, b])[0] == sigmoid(a - b)."""

    def call(self, two_way):
        return two_way[:, :1] - two_way[:, 1:]


def one_hot(label, n_classes: int):
    return OneHot(n_classes, name="one_hot")(label)


def activation(kind: str, name: str | None = None):
    if kind == "leaky_relu":
        return layers.LeakyReLU(0.2, name=name)
    return layers.Activation(kind, name=name)


def dcgan_init():
    return keras.initializers.RandomNormal(0.0, 0.02)
