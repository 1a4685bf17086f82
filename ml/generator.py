"""Load an exported generator once and draw glyphs from it: what the web workers and CLIs use."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from ml.data.charset import Charset

METADATA_ENTRY = "handgen.json"  # written by ml.train.export


def resolve(path) -> tuple[Path, Path]:
    """Accept the export folder, its model.keras, or a .keras file with a sibling .json."""
    path = Path(path)
    if path.is_dir():
        return path / "model.keras", path / "model.json"
    return path, path.with_suffix(".json") if path.with_suffix(".json").exists() else path.parent / "model.json"


def read_metadata(path) -> dict:
    """Metadata without loading Keras (the web process may call this).

    Read from the ``handgen.json`` entry inside the .keras file when there is one, else
    from the sidecar ``model.json``.
    """
    model, meta = resolve(path)
    if model.is_file():
        try:
            with zipfile.ZipFile(model) as archive:
                return json.loads(archive.read(METADATA_ENTRY))
        except (KeyError, zipfile.BadZipFile):
            pass
    if not meta.exists():
        raise FileNotFoundError(f"{path}: generator metadata not found")
    return json.loads(meta.read_text())


class Generator:
    def __init__(self, path):
        import keras

        import ml.models.registry  # noqa: F401  (registers the custom layers saved models use)

        model_path, _ = resolve(path)
        self.path = Path(path)
        self.meta = read_metadata(path)
        self.charset = Charset.from_dict(self.meta["charset"])
        self.latent_dim = int(self.meta["latent_dim"])
        self.model = keras.saving.load_model(model_path, compile=False)
        self._predict = None

    def latents(self, n: int, seed: int) -> np.ndarray:
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype(np.float32)

    def draw(self, labels, z=None, *, seed: int = 0, batch_size: int = 1024) -> np.ndarray:
        """(n,) class ids -> (n, 28, 28) uint8 images, white ink on black, upright."""
        labels = np.asarray(labels, dtype=np.int32)
        if labels.ndim != 1:
            raise ValueError("labels must be a 1-D sequence of class ids")
        if len(labels) and (labels.min() < 0 or labels.max() >= self.charset.n_classes):
            raise ValueError(f"class ids must be in 0..{self.charset.n_classes - 1}")
        z = self.latents(len(labels), seed) if z is None else np.asarray(z, dtype=np.float32)
        if z.shape != (len(labels), self.latent_dim):
            raise ValueError(f"z must have shape ({len(labels)}, {self.latent_dim}), got {z.shape}")
        out = np.empty((len(labels), 28, 28), np.uint8)
        for i in range(0, len(labels), batch_size):
            images = self.model.predict_on_batch([z[i:i + batch_size], labels[i:i + batch_size]])
            out[i:i + batch_size] = np.clip(np.rint((np.asarray(images)[..., 0] + 1.0) * 127.5), 0, 255)
        return out

    def draw_chars(self, chars, *, seed: int = 0) -> np.ndarray:
        ids = []
        for ch in chars:
            cid = self.charset.class_of(ch)
            if cid is None:
                raise ValueError(f"{ch!r} is not in charset {self.charset.name}")
            ids.append(cid)
        return self.draw(ids, seed=seed)
