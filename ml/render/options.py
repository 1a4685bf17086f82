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
class OptionSpec:
    """One render option's type, range and help: the form, the API schema and the checks read it here."""

    kind: str  # "int", "real", "colour", "choice", "flag"
    low: float | None = None
    high: float | None = None
    help: str = ""
    optional: bool = False  # None is allowed (and means "the hand's own")
    user: bool = False  # offered on the Generate page and in the API
    user_low: float | None = None  # a tighter range for web requests (one request must not hold a worker)
    user_high: float | None = None

    def web_range(self) -> tuple[float | None, float | None]:
        return (self.low if self.user_low is None else self.user_low,
                self.high if self.user_high is None else self.user_high)


OPTION_SPECS: dict[str, OptionSpec] = {
    "width": OptionSpec("int", 32, 20000, "Image width in px; lines wrap at word boundaries to fit.",
                        user=True, user_low=200, user_high=4000),
    "char_size": OptionSpec("int", 8, 400, "Height of capitals and digits in px.", user=True, user_low=16,
                            user_high=200),
    "letter_spacing": OptionSpec("real", -0.5, 2.0, "Gap between the inks of neighbouring letters, × char size.",
                                 user=True),
    "word_spacing": OptionSpec("real", 0.0, 5.0, "Width of a space, × char size.", user=True),
    "line_spacing": OptionSpec("real", 0.5, 5.0, "Baseline to baseline, × the ascender-to-descender height.",
                               user=True),
    "slant": OptionSpec("real", -45.0, 45.0, "Degrees every letter leans right (negative: left). "
                        "Empty: the hand's own slant.", optional=True, user=True),
    "pen_width": OptionSpec("real", 0.02, 0.3, "Stroke width of the one pen, × char size. Empty: the hand's own.",
                            optional=True, user=True),
    "uniform": OptionSpec("flag", help="One pen width and one slant for the whole page. Off: each glyph keeps "
                          "the strokes and lean the generator drew.", user=True),
    "jitter": OptionSpec("real", 0.0, 1.0, "0 machine-regular … 1 sloppy: baseline, size, angle and spacing wobble.",
                         user=True),
    "ink": OptionSpec("colour", help="Ink colour, hex like #1a1a6e.", user=True),
    "background": OptionSpec("choice", help="White or transparent.", user=True),
    "seed": OptionSpec("int", 0, MAX_SEED, "Fixes the jitter."),
    "margin": OptionSpec("int", 0, 2000, "px around the text; empty: half of char size.", optional=True),
    "x_height": OptionSpec("real", 0.3, 1.0, "Height of a c e m n o … × char size."),
    "descender": OptionSpec("real", 0.0, 1.0, "Depth of g j p q y below the baseline, × char size."),
    "ink_threshold": OptionSpec("int", 1, 254, "Level above which a glyph pixel counts as ink."),
}
USER_OPTIONS = tuple(name for name, spec in OPTION_SPECS.items() if spec.user)


def _check_spec(name: str, spec: OptionSpec, value: Any) -> None:
    if value is None and spec.optional:
        return
    if spec.kind == "int":
        _check_int(name, value, int(spec.low), int(spec.high))
    elif spec.kind == "real":
        _check_real(name, value, spec.low, spec.high)
    elif spec.kind == "flag" and not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")


@dataclass(frozen=True)
class RenderOptions:
    """How a text is laid out and painted (each field's range and help: ``OPTION_SPECS``).

    Lengths given as plain numbers are relative to ``char_size`` (the pixel
    height of a capital, digit or ascender letter), so changing the size keeps
    the proportions of the writing. With ``uniform`` the page is written with
    one pen: every glyph is redrawn with one stroke width (``pen_width``, or the
    median of the hand's glyphs) and sheared to one slant (``slant``, or the
    median of the hand's glyphs), so a random hand differs from page to page
    but not inside one. Without it, ``slant`` (None = 0) is a shear added to the
    glyphs as drawn.
    """

    width: int = 1200
    char_size: int = 48
    letter_spacing: float = 0.08
    word_spacing: float = 0.5
    line_spacing: float = 1.3
    slant: float | None = None
    pen_width: float | None = None
    uniform: bool = True
    jitter: float = 0.3
    ink: str = "#1a1a6e"
    background: str = "white"
    seed: int = 0
    margin: int | None = None
    x_height: float = 0.62
    descender: float = 0.38
    ink_threshold: int = 64

    def __post_init__(self) -> None:
        for name, spec in OPTION_SPECS.items():
            _check_spec(name, spec, getattr(self, name))
        parse_hex_colour(self.ink)
        if self.background not in BACKGROUNDS:
            raise ValueError(f"background must be one of {', '.join(BACKGROUNDS)}, got {self.background!r}")
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
