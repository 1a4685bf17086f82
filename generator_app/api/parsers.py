"""JSON bodies with a depth limit, so nesting is refused (400) instead of exhausting the stack.

Python's ``json`` recurses once per level: a few thousand levels raise ``RecursionError``,
which DRF's parser does not turn into a parse error (a 500). Nothing the API accepts is
nested more than a few levels, so the body is measured, outside strings, before it is parsed.
"""

import io
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes) -> int:
    """Deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        limit = settings.HANDGEN_MAX_JSON_DEPTH
        if json_depth(raw) > limit:
            raise ParseError(f"JSON parse error - nested deeper than {limit} levels.")
        return super().parse(io.BytesIO(raw), media_type, parser_context)
