"""Tiny dataset sources for the web tests: a ZIP of 'handwriting' and MNIST-layout IDX files."""

import io
import zipfile

import numpy as np
from PIL import Image, ImageDraw


def picture(index, seed=0):
    """Dark ink on light paper, a stroke whose angle depends on ``index``."""
    rng = np.random.default_rng((seed, index))
    img = Image.new("L", (48, 64), 230)
    angle = np.pi * index / 6 + rng.uniform(-0.1, 0.1)
    dx, dy = np.cos(angle) * 22, np.sin(angle) * 22
    ImageDraw.Draw(img).line([(24 - dx, 32 - dy), (24 + dx, 32 + dy)], fill=20, width=5)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def handwriting_zip_bytes(chars="abc", per_class=6, extra=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, ch in enumerate(chars):
            for i in range(per_class):
                zf.writestr(f"{ch}/{i}.png", picture(k, seed=i))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


def mnist_folder(root, n_train=30, n_test=10):
    from ml.data.idx import write_idx

    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", (np.arange(n) % 10).astype(np.uint8))
    return root
