"""Few-shot adaptation of a shipped generator to one person's glyphs.

A handful of glyphs per character is far too little to train a GAN, so this
starts from the shipped generator (which already draws every character) and
nudges it towards the user's hand, keeping what it knows:

- *Frozen lower discriminator.* D's lower layers are a pretrained handwriting
  classifier (the shipped ``alnum`` evaluator), frozen; only a small head with a
  class projection learns. With ~2 samples per class, a D learned from scratch
  would memorise them within a few steps (FreezeD, Mo et al. 2020; Projected GANs,
  Sauer et al. 2021).
- *Strong augmentation* of the real glyphs (small random affine warps, and the
  same random shift for real and fake batches), so D judges the style, not the
  exact pixels of two samples (DiffAugment, Zhao et al. 2020).
- *Legibility kept.* The frozen classifier's cross-entropy on G's drawings stays in
  G's loss (the auxiliary-classifier term the shipped generator was trained with),
  and a per-class feature match pulls each character towards the user's own.
- Batch norm of G stays in inference mode: its statistics were averaged over the
  whole training set and must not drift to a 64-image batch of one hand.

The adapted generator is saved like a shipped one (``.keras`` with ``handgen.json``
inside), so ``ml.generator.Generator`` and the writer use it unchanged. The
guide classifier is a different network from the ``digits``/``letters`` evaluators
that score legibility and likeness, so those figures are not measured by the
network the generator was pulled towards.
"""

from __future__ import annotations

import json
import os
import platform
import time
import zipfile
from pathlib import Path

import numpy as np

from ml.generator import METADATA_ENTRY, read_metadata
from ml.metrics.evaluator import PRETRAINED

GUIDE = "alnum"
DEFAULTS = {"steps": 300, "batch_size": 64, "g_learning_rate": 1e-4, "d_learning_rate": 2e-4,
            "cls_weight": 2.0, "match_weight": 1.0, "pixel_weight": 0.5, "pixel_width": 32, "shift": 2, "seed": 0}


class AdaptCancelled(Exception):
    """The progress callback asked to stop."""


def _augment(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random small affine warp per glyph (scale, rotation, shear, shift): a pen's natural wobble."""
    import cv2

    out = np.empty_like(images)
    for i, img in enumerate(images):
        angle = rng.uniform(-8, 8)
        scale = rng.uniform(0.9, 1.1)
        m = cv2.getRotationMatrix2D((13.5, 13.5), angle, scale)
        m[0, 1] += rng.uniform(-0.15, 0.15)
        m[:, 2] += rng.uniform(-1.0, 1.0, 2)
        out[i] = cv2.warpAffine(img, m, (28, 28), flags=cv2.INTER_LINEAR, borderValue=0)
    return out


def _versions() -> dict:
    import keras
    import tensorflow as tf

    return {"python": platform.python_version(), "keras": keras.__version__, "tensorflow": tf.__version__,
            "numpy": np.__version__}


def save_generator(model, meta: dict, folder: Path) -> Path:
    """Write ``model.keras`` with its metadata inside, atomically (a half-written file is never loaded)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "model.tmp.keras"
    model.save(tmp)
    text = json.dumps(meta, indent=2, sort_keys=True, default=str)
    with zipfile.ZipFile(tmp, "a") as archive:
        archive.writestr(METADATA_ENTRY, text)
    os.replace(tmp, folder / "model.keras")
    (folder / "model.json").write_text(text)
    return folder / "model.keras"


def adapt_generator(base_path, glyphs: np.ndarray, chars: list[str], out_folder, *, config: dict | None = None,
                    progress=None) -> dict:
    """Fine-tune the generator at ``base_path`` on ``glyphs`` (uint8 (N, 28, 28)) labelled ``chars``.

    ``progress(step, total)`` is called every few steps; returning False cancels
    (``AdaptCancelled``). Returns the record saved with the model: config, seed,
    versions, losses and the share of its drawings the guide reads correctly.
    """
    import keras
    import tensorflow as tf
    from keras import layers, ops

    import ml.models.registry  # noqa: F401  (custom layers of saved generators)

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("hand adaptation runs on the TensorFlow backend (KERAS_BACKEND=tensorflow)")
    cfg = {**DEFAULTS, **(config or {})}
    keras.utils.set_random_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    from ml.data.charset import Charset
    from ml.metrics.classifiers import FEATURES

    base_meta = read_metadata(base_path)
    charset = Charset.from_dict(base_meta["charset"])
    latent = int(base_meta["latent_dim"])
    labels = np.array([charset.class_of(c) for c in chars], np.int32)
    if len(glyphs) == 0 or (labels < 0).any():
        raise ValueError("no glyphs of this generator's characters to learn from")
    G = keras.saving.load_model(Path(base_path), compile=False)
    guide = keras.saving.load_model(PRETRAINED / GUIDE / "model.keras", compile=False)
    guide.trainable = False
    guide_cs = Charset.from_dict(json.loads((PRETRAINED / GUIDE / "model.json").read_text())["charset"])
    to_guide = np.array([guide_cs.class_of(charset.char_of(k)) for k in range(charset.n_classes)], np.int32)
    both = keras.Model(guide.inputs, [guide.output, guide.get_layer(FEATURES).output])

    classes = np.unique(labels)
    n_cls = charset.n_classes
    feat_dim = int(both.outputs[1].shape[-1])
    f_in, y_in = keras.Input((feat_dim,)), keras.Input((), dtype="int32")
    h = layers.LeakyReLU(0.2)(layers.Dense(128)(f_in))
    adv = layers.Add()([layers.Dense(1)(h), ops.sum(layers.Embedding(n_cls, 128)(y_in) * h, axis=-1, keepdims=True)])
    head = keras.Model([f_in, y_in], adv)
    # A small pixel-level D beside it sees what the classifier's features are blind to by
    # design: ink contrast, stroke width, sharpness.
    from ml.models.strong import build_discriminator

    pixel_d = build_discriminator({"d_width": int(cfg["pixel_width"]), "conditional": True, "aux_weight": 0}, n_cls)
    pix_w = float(cfg["pixel_weight"])
    d_vars = head.trainable_variables + (pixel_d.trainable_variables if pix_w else [])
    g_opt = keras.optimizers.Adam(cfg["g_learning_rate"], beta_1=0.5)
    d_opt = keras.optimizers.Adam(cfg["d_learning_rate"], beta_1=0.5)
    cls_w, match_w = float(cfg["cls_weight"]), float(cfg["match_weight"])
    one_hot_cls = tf.constant(np.eye(n_cls, dtype=np.float32)[:, classes])  # (n_cls, k)
    to_guide_t = tf.constant(to_guide)

    def shift(x, dy, dx):
        return tf.roll(x, shift=[dy, dx], axis=[1, 2])

    @tf.function
    def step(real, real_y, z, fake_y, dy, dx, real_means):
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = (G([z, fake_y], training=False) + 1.0) / 2.0
            logits_f, feat_f = both(shift(fake, dy, dx), training=False)
            _, feat_r = both(shift(real, dy, dx), training=False)
            d_real, d_fake = head([feat_r, real_y]), head([feat_f, fake_y])
            d_loss = tf.reduce_mean(tf.nn.softplus(-d_real)) + tf.reduce_mean(tf.nn.softplus(d_fake))
            adv_loss = tf.reduce_mean(tf.nn.softplus(-d_fake))
            if pix_w:
                p_real = pixel_d([shift(real, dy, dx) * 2.0 - 1.0, real_y])
                p_fake = pixel_d([shift(fake, dy, dx) * 2.0 - 1.0, fake_y])
                p_real = p_real[0] if isinstance(p_real, (list, tuple)) else p_real
                p_fake = p_fake[0] if isinstance(p_fake, (list, tuple)) else p_fake
                d_loss += pix_w * (tf.reduce_mean(tf.nn.softplus(-p_real)) + tf.reduce_mean(tf.nn.softplus(p_fake)))
                adv_loss += pix_w * tf.reduce_mean(tf.nn.softplus(-p_fake))
            cls_loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
                tf.gather(to_guide_t, fake_y), logits_f))
            member = tf.gather(one_hot_cls, fake_y)  # (b, k)
            counts = tf.reduce_sum(member, axis=0)
            fake_means = tf.matmul(member, feat_f, transpose_a=True) / tf.maximum(counts, 1.0)[:, None]
            present = tf.cast(counts > 0, tf.float32)[:, None]
            match = tf.reduce_sum(present * tf.square(fake_means - real_means)) / tf.maximum(tf.reduce_sum(present), 1.0)
            scale = tf.reduce_mean(tf.square(real_means)) + 1e-6
            g_loss = adv_loss + cls_w * cls_loss + match_w * match / scale
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars, strict=True))
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, G.trainable_variables), G.trainable_variables,
                                  strict=True))
        return d_loss, adv_loss, cls_loss, match / scale

    real_all = glyphs.astype(np.float32)[..., None] / 255.0
    _, real_feats = both.predict_on_batch(real_all)
    real_means = np.stack([real_feats[labels == c].mean(axis=0) for c in classes]).astype(np.float32)
    b, steps = int(cfg["batch_size"]), int(cfg["steps"])
    began = time.perf_counter()
    history = []
    for i in range(steps):
        pick = rng.integers(0, len(glyphs), b)
        real = _augment(glyphs[pick], rng).astype(np.float32)[..., None] / 255.0
        fake_y = labels[rng.integers(0, len(glyphs), b)]
        z = rng.standard_normal((b, latent)).astype(np.float32)
        dy, dx = (tf.constant(int(v)) for v in rng.integers(-cfg["shift"], cfg["shift"] + 1, 2))  # no retrace
        losses = step(real, labels[pick], z, fake_y, dy, dx, real_means)
        if i % 10 == 0 or i == steps - 1:
            history.append([i] + [round(float(v), 4) for v in losses])
            if progress is not None and progress(i + 1, steps) is False:
                raise AdaptCancelled()
    seconds = time.perf_counter() - began

    z = rng.standard_normal((len(classes) * 20, latent)).astype(np.float32)
    check_y = np.repeat(classes, 20).astype(np.int32)
    drawn = (np.asarray(G.predict_on_batch([z, check_y])) + 1.0) / 2.0
    read = np.argmax(np.asarray(guide.predict_on_batch(drawn)), axis=1)
    record = {"config": cfg, "seed": cfg["seed"], "versions": _versions(), "base": base_meta.get("config", {}),
              "base_path": str(base_path), "guide": GUIDE, "glyphs": len(glyphs),
              "classes": [charset.char_of(int(c)) for c in classes], "seconds": round(seconds, 1),
              "metrics": {"guide_accuracy": float(np.mean(read == to_guide[check_y])),
                          "final_losses": dict(zip(["d", "adv", "cls", "match"], history[-1][1:], strict=True))},
              "history": history}
    meta = {**base_meta, "provenance": {**base_meta.get("provenance", {}), "hand_adaptation": record}}
    save_generator(G, meta, Path(out_folder))
    return record
