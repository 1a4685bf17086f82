"""What the schema says a generation request may hold, as exactly as a schema can.

The service checks the input (one rule for page and API); this module only describes the
same limits to API clients and fuzzers, built from the constants the checks use so the
two cannot drift. What a schema cannot say (which characters this site's generators
draw, a width too narrow for the character size) is in the descriptions, and answered 400.
"""

from generator_app.services.generation_charsets import PUNCTUATION_ORDER
from ml.render.options import _HEX_COLOUR, BACKGROUNDS, OPTION_SPECS, USER_OPTIONS

# ECMA-262 regex (what JSON Schema uses) refuses needless escapes such as \! inside a class.
_DRAWN = "A-Za-z0-9" + PUNCTUATION_ORDER.replace("\\", "\\\\").replace("]", "\\]").replace("-", "\\-")
# At least one character that is not a space or line break; line breaks as LF or CRLF.
TEXT_PATTERN = rf"^(?:[ \n]|\r\n)*[{_DRAWN}](?:[{_DRAWN} \n]|\r\n)*$"


def _option_schema(name: str) -> dict:
    spec = OPTION_SPECS[name]
    low, high = spec.web_range()
    if spec.kind in ("int", "real"):
        schema = {"type": "integer" if spec.kind == "int" else "number", "minimum": low, "maximum": high}
    elif spec.kind == "flag":
        schema = {"type": "boolean"}
    elif spec.kind == "choice":
        schema = {"type": "string", "enum": list(BACKGROUNDS)}
    else:
        schema = {"type": "string", "pattern": _HEX_COLOUR.pattern, "example": "#1a1a6e"}
    if spec.optional:
        schema["nullable"] = True
    return {**schema, "description": spec.help}


OPTIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "description": "Render settings; omitted ones take the defaults. The width must leave room for "
    "two characters and the margins.",
    "properties": {name: _option_schema(name) for name in USER_OPTIONS},
}

