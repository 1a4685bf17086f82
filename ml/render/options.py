"""Rendering options: one frozen, validated object per request.

Validation lives here (not in the web layer) so every caller — API, form,
Celery task, CLI — gets the same clear ``ValueError`` for bad input before any
pixel is drawn, and so the options can be stored and replayed to reproduce an
image byte for byte.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, fields
from typing import Any

BACKGROUNDS = ("white", "transparent")
MAX_SEED = 2**63 - 1  # fits a signed 64-bit database column
_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


def _check_real(name: str, value: Any, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


def parse_hex_colour(value: str) -> tuple[int, int, int]:
    """'#1a1a6e' or '#fff' → (r, g, b)."""
    if not isinstance(value, str) or not _HEX_COLOUR.match(value):
        raise ValueError(f"ink must be a hex colour like '#1a1a6e' or '#000', got {value!r}")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


@dataclass(frozen=True)
class RenderOptions:
    """How a text is laid out and painted.

    Lengths given as plain numbers are relative to ``char_size`` (the pixel
    height of a capital, digit or ascender letter), so changing the size keeps
    the proportions of the writing.

    - width: image width in px; lines wrap inside ``width - 2 * margin``.
    - char_size: px height of capitals, digits and ascender letters.
    - letter_spacing: pen-lift gap between glyphs, × char_size.
    - word_spacing: width of a space, × char_size.
    - line_spacing: baseline-to-baseline distance, × the full ascender-to-descender
      height (1.0 lets descenders touch the next line's capitals).
    - slant: degrees, positive leans right like italics.
    - jitter: 0 (machine-regular) … 1 (sloppy); random baseline, size, rotation
      and spacing wobble, reproducible through ``seed``.
    - ink: hex colour; background: "white" or "transparent".
    - seed: fixes the jitter (the GAN style seed is the caller's business).
    - margin: px around the text; None → half of char_size.
    - x_height: height of a c e m n o r s u v w x z, × char_size.
    - descender: depth of g j p q y below the baseline, × char_size.
    - ink_threshold: 0..255 level above which a glyph pixel counts as ink
      when cropping and checking for blank glyphs.
    """

    width: int = 1200
    char_size: int = 48
    letter_spacing: float = 0.08
    word_spacing: float = 0.5
    line_spacing: float = 1.3
    slant: float = 0.0
    jitter: float = 0.3
    ink: str = "#1a1a6e"
    background: str = "white"
    seed: int = 0
    margin: int | None = None
    x_height: float = 0.62
    descender: float = 0.38
    ink_threshold: int = 64

    def __post_init__(self) -> None:
        _check_int("char_size", self.char_size, 8, 400)
        _check_int("width", self.width, 32, 20000)
        _check_real("letter_spacing", self.letter_spacing, -0.5, 2.0)
        _check_real("word_spacing", self.word_spacing, 0.0, 5.0)
        _check_real("line_spacing", self.line_spacing, 0.5, 5.0)
        _check_real("slant", self.slant, -45.0, 45.0)
        _check_real("jitter", self.jitter, 0.0, 1.0)
        parse_hex_colour(self.ink)
        if self.background not in BACKGROUNDS:
            raise ValueError(f"background must be one of {', '.join(BACKGROUNDS)}, got {self.background!r}")
        _check_int("seed", self.seed, 0, MAX_SEED)
        if self.margin is not None:
            _check_int("margin", self.margin, 0, 2000)
        _check_real("x_height", self.x_height, 0.3, 1.0)
        _check_real("descender", self.descender, 0.0, 1.0)
        _check_int("ink_threshold", self.ink_threshold, 1, 254)
        need = 2 * self.margin_px + 2 * self.char_size
        if self.width < need:
            raise ValueError(
                f"width {self.width} px is too narrow for char_size {self.char_size}: "
                f"need at least {need} px (two characters plus margins)"
            )

    @property
    def margin_px(self) -> int:
        return self.char_size // 2 if self.margin is None else self.margin

    @property
    def ink_rgb(self) -> tuple[int, int, int]:
        return parse_hex_colour(self.ink)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderOptions:
        """Build from user input (JSON, form data), rejecting unknown keys by name."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown render option(s): {', '.join(unknown)}")
        return cls(**data)
