"""What the schema says a generation request may hold, as exactly as a schema can.

The service checks the input (one rule for page and API); this module only describes the
same limits to API clients and fuzzers, built from the constants the checks use so the
two cannot drift. What a schema cannot say (which characters this site's generators
draw, a width too narrow for the character size) is in the descriptions, and answered 400.
"""

from generator_app.services.generation import OPTION_LIMITS
from generator_app.services.generation_charsets import PUNCTUATION_ORDER
from ml.render.options import _HEX_COLOUR, BACKGROUNDS

# ECMA-262 regex (what JSON Schema uses) refuses needless escapes such as \! inside a class.
_DRAWN = "A-Za-z0-9" + PUNCTUATION_ORDER.replace("\\", "\\\\").replace("]", "\\]").replace("-", "\\-")
# At least one character that is not a space or line break; line breaks as LF or CRLF.
TEXT_PATTERN = rf"^(?:[ \n]|\r\n)*[{_DRAWN}](?:[{_DRAWN} \n]|\r\n)*$"

_REAL_LIMITS = {
    "letter_spacing": (-0.5, 2.0), "word_spacing": (0.0, 5.0), "line_spacing": (0.5, 5.0),
    "slant": (-45.0, 45.0), "jitter": (0.0, 1.0),
}  # fmt: skip  (ml.render.RenderOptions checks these)

OPTIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "description": "Render settings; omitted ones take the defaults. The width must leave room for "
    "two characters and the margins.",
    "properties": {
        **{name: {"type": "integer", "minimum": low, "maximum": high} for name, (low, high) in OPTION_LIMITS.items()},
        **{name: {"type": "number", "minimum": low, "maximum": high} for name, (low, high) in _REAL_LIMITS.items()},
        "ink": {"type": "string", "pattern": _HEX_COLOUR.pattern, "example": "#1a1a6e"},
        "background": {"type": "string", "enum": list(BACKGROUNDS)},
    },
}

