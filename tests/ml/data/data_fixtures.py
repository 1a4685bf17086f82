"""Small fixture pictures and ZIPs made by the tests themselves (nothing is downloaded)."""

import io
import zipfile

import numpy as np
from PIL import Image, ImageDraw


def picture(index: int = 0, *, size=(60, 80), dark_on_light: bool = True, fmt: str = "PNG", seed: int = 0,
            mode: str = "L") -> bytes:
    """A picture of a made-up 'character' whose shape depends on ``index`` (a stroke at an angle + a dot)."""
    rng = np.random.default_rng((seed, index))
    paper, ink = (235, 30) if dark_on_light else (10, 240)
    img = Image.new("L", size, paper)
    draw = ImageDraw.Draw(img)
    w, h = size
    angle = np.pi * (index % 8) / 8 + rng.uniform(-0.1, 0.1)
    cx, cy = w / 2 + rng.uniform(-3, 3), h / 2 + rng.uniform(-3, 3)
    dx, dy = np.cos(angle) * h * 0.35, np.sin(angle) * h * 0.35
    draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=ink, width=max(2, w // 12))
    r = max(2, w // 12)
    ox = w * (0.2 + 0.6 * ((index * 3) % 5) / 4)
    draw.ellipse([ox - r, h * 0.8 - r, ox + r, h * 0.8 + r], fill=ink)
    if mode != "L":
        img = img.convert(mode)
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def make_zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def handwriting_members(chars="ab7", per_class=5, prefix="", **picture_options) -> dict[str, bytes]:
    return {f"{prefix}{ch}/{i}.png": picture(k, seed=i, **picture_options)
            for k, ch in enumerate(chars) for i in range(per_class)}


def mnist_files(root, n_train=20, n_test=10):
    """Tiny MNIST-layout IDX files (random pixels, labels 0..9 in turn)."""
    from ml.data.idx import write_idx

    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", (np.arange(n) % 10).astype(np.uint8))
    return root
