"""Write a trained generator as a small folder: ``model.keras`` + ``model.json`` (config, charset, provenance).

The same metadata is also stored inside the ``.keras`` zip as ``handgen.json`` (Keras ignores
extra entries), so the one file is self-describing: the web side copies only that file.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from ml.train.gan import Gan

METADATA_ENTRY = "handgen.json"


def export_generator(gan: Gan, cfg: dict, charset, folder, *, extra: dict | None = None) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"format": "handgen-generator/1", "architecture": cfg["architecture"], "latent_dim": cfg["latent_dim"],
            "charset": charset.to_dict(), "config": cfg,
            "provenance": {k: v for k, v in (extra or {}).items() if k not in ("config", "charset")}}
    text = json.dumps(meta, indent=2, sort_keys=True, default=str)
    tmp = folder / "model.tmp.keras"
    gan.sampling_generator.save(tmp)
    with zipfile.ZipFile(tmp, "a") as archive:
        archive.writestr(METADATA_ENTRY, text)
    os.replace(tmp, folder / "model.keras")
    (folder / "model.json").write_text(text)
    return folder
