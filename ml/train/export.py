"""Write a trained generator as a small folder: ``model.keras`` + ``model.json`` (config, charset, provenance)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ml.train.gan import Gan


def export_generator(gan: Gan, cfg: dict, charset, folder, *, extra: dict | None = None) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "model.tmp.keras"
    gan.sampling_generator.save(tmp)
    os.replace(tmp, folder / "model.keras")
    meta = {"format": "handgen-generator/1", "architecture": cfg["architecture"], "latent_dim": cfg["latent_dim"],
            "charset": charset.to_dict(), "config": cfg,
            "provenance": {k: v for k, v in (extra or {}).items() if k not in ("config", "charset")}}
    (folder / "model.json").write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
    return folder
