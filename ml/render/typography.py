"""Where each character sits relative to the baseline.

MNIST and EMNIST scale every character to fill the same box, so a GAN drawn
'a' arrives as tall as an 'A' and the data cannot tell us relative sizes.  We
restore them from the character's identity, the way a hand does it: capitals,
digits and ascender letters reach the cap line, x-height letters stop lower,
i and t rise a little above the x-height, and g j p q y hang below the
baseline.  All heights are fractions of ``char_size``, measured up from the
baseline.
"""

from __future__ import annotations

DESCENDER_LETTERS = frozenset("gjpqy")
X_HEIGHT_LETTERS = frozenset("acemnorsuvwxz")
# i's dot and t's stem rise above the x-height but stay under the ascenders.
MID_LETTERS = frozenset("it")


def vertical_span(ch: str, x_height: float, descender: float) -> tuple[float, float]:
    """(top, bottom) of a character's ink, in char_size units above the baseline.

    The glyph's ink box is scaled to this height and placed so the box spans
    exactly [bottom, top]; for descender letters that leaves the top
    ``x_height / (x_height + descender)`` of the glyph above the baseline.
    """
    mid = (x_height + 1.0) / 2.0
    if ch in X_HEIGHT_LETTERS:
        return x_height, 0.0
    if ch in MID_LETTERS:
        return mid, 0.0
    if ch == "j":
        return mid, -descender
    if ch in DESCENDER_LETTERS:
        return x_height, -descender
    return 1.0, 0.0
