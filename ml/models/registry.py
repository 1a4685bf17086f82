"""Architecture name -> (generator builder, discriminator builder)."""

from __future__ import annotations

from ml.models import catalog, cgan_seed, dcgan, mlp, rnn, strong, upsample

BUILDERS = {
    "cgan-seed": (cgan_seed.build_generator, cgan_seed.build_discriminator),
    "mlp-gan": (mlp.build_generator, mlp.build_discriminator),
    "dcgan": (dcgan.build_generator, dcgan.build_discriminator),
    "upsample-gan": (upsample.build_generator, upsample.build_discriminator),
    "rnn-d": (dcgan.build_generator, rnn.build_discriminator),
    "cgan-strong": (strong.build_generator, strong.build_discriminator),
}
assert set(BUILDERS) == set(catalog.ARCHITECTURES)

CUSTOM_OBJECTS = {"Projection": strong.Projection}


def build(cfg: dict, n_classes: int):
    g_builder, d_builder = BUILDERS[cfg["architecture"]]
    return g_builder(cfg, n_classes), d_builder(cfg, n_classes)
