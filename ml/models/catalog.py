"""Architecture names, descriptions and default options, without importing Keras.

The admin's "new training run" form and config validation read this; builders live
in one module per architecture family and are looked up in ``ml.models.registry``.
"""

from __future__ import annotations

# Options every architecture accepts, with their defaults.
COMMON_DEFAULTS = {
    "latent_dim": 100,
    "conditional": True,
    "batch_norm": True,
    "loss": "ns",  # ns (non-saturating), saturating, hinge
    "label_smoothing": 0.0,
    "ema": None,  # decay of an exponential moving average of G's weights, e.g. 0.999
    "aux_weight": 0.0,  # weight of an auxiliary-classifier loss (needs a D with a class head)
    "g_optimizer": {"name": "adam", "learning_rate": 2e-4, "beta_1": 0.5},
    "d_optimizer": {"name": "adam", "learning_rate": 2e-4, "beta_1": 0.5},
}

ARCHITECTURES: dict[str, dict] = {
    "cgan-seed": {
        "description": "The reference conditional GAN: label maps concatenated to image/latent maps, "
                       "tanh activations, no batch norm. Images often miss their label.",
        "defaults": {"batch_size": 32, "batch_norm": False, "activation": "tanh"},
        "choices": {"activation": ("tanh", "leaky_relu")},
    },
    "mlp-gan": {
        "description": "Fully connected G 100-256-512-1024-784 and D 784-1024-512-256-1, one-hot label concatenated.",
        "defaults": {"batch_size": 64, "batch_norm": False},
        "choices": {},
    },
    "dcgan": {
        "description": "DCGAN: strided transposed convolutions with batch norm in G, LeakyReLU in D, N(0, 0.02) init.",
        "defaults": {"batch_size": 64},
        "choices": {},
    },
    "upsample-gan": {
        "description": "Font-GAN style: Conv + UpSampling2D + batch norm G with sigmoid output; "
                       "D with LeakyReLU, dropout 0.25 and a two-way softmax; optional D pre-training.",
        "defaults": {"batch_size": 64, "d_pretrain_steps": 0},
        "choices": {},
    },
    "rnn-d": {
        "description": "DCGAN generator with a discriminator that reads the image row by row with an LSTM.",
        "defaults": {"batch_size": 64},
        "choices": {},
    },
    "cgan-strong": {
        "description": "HandGen's shipped design: projection discriminator with an auxiliary classifier head, "
                       "batch-norm G conditioned at input, non-saturating loss, EMA of G weights.",
        "defaults": {"batch_size": 64, "latent_dim": 64, "ema": 0.999, "aux_weight": 1.0,
                     "g_width": 64, "d_width": 64},
        "choices": {},
    },
}


def names() -> list[str]:
    return sorted(ARCHITECTURES)


def defaults_for(name: str) -> dict:
    spec = ARCHITECTURES[name]
    return {**COMMON_DEFAULTS, **spec["defaults"]}
