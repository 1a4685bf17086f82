"""A filled-in sheet "printed and photographed" in simulation: warp, blur, uneven light, JPEG.

Used by the benchmark and the tests, which need photos with a known answer.
Every effect is seeded, so a figure can be reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class PhotoConditions:
    tilt: float = 0.06  # corner displacement as a share of the sheet's size
    blur: float = 1.2  # Gaussian sigma in output pixels
    light: float = 0.35  # how much darker the dimmest corner is than the brightest
    brightness: float = 1.0
    noise: float = 3.0  # grey levels
    jpeg_quality: int = 82
    width: int = 1600  # output photo width in pixels
    crop: float = 0.0  # share of the sheet's height cut off at the bottom


def photograph(sheet: np.ndarray, *, seed: int = 0, conditions: PhotoConditions = PhotoConditions()) -> bytes:
    """JPEG bytes of a phone-like photo of ``sheet`` (uint8 grey) lying on a darker table."""
    rng = np.random.default_rng(seed)
    c = conditions
    h, w = sheet.shape
    out_w = c.width
    out_h = round(out_w * 1.25)
    scale = 0.8 * min(out_w / w, out_h / h)
    cx, cy = out_w / 2, out_h / 2
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = (src - [w / 2, h / 2]) * scale + [cx, cy]
    dst += rng.uniform(-c.tilt, c.tilt, size=(4, 2)) * [w * scale, h * scale]
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    photo = cv2.warpPerspective(sheet, matrix, (out_w, out_h), flags=cv2.INTER_AREA, borderValue=70)
    photo = photo.astype(np.float32)
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / out_w + np.sin(angle) * yy / out_h)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    photo *= c.brightness * (1.0 - c.light * ramp)
    if c.blur > 0:
        photo = cv2.GaussianBlur(photo, (0, 0), c.blur)
    photo += rng.normal(0, c.noise, photo.shape)
    if c.crop > 0:
        photo = photo[: round(out_h * (1 - c.crop * 0.8))]
    colour = cv2.cvtColor(np.clip(photo, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    colour[..., 0] = np.clip(colour[..., 0].astype(np.int16) - 12, 0, 255)  # a warm cast, as under a lamp
    ok, data = cv2.imencode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, c.jpeg_quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()
