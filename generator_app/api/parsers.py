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

# A whole string, or a lone quote where a string never ends, or a bracket. The string is
# unrolled so that each byte is looked at once: stripping strings with a pattern retried at
# every quote was quadratic on a body of escaped quotes (a worker stuck for minutes on 1 MiB).
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|["\[\]{}]', re.DOTALL)


def json_depth(raw: bytes, limit: int | None = None) -> int:
    """Deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored).

    One pass, stopping once past ``limit``: the body is untrusted and up to the request limit.
    An unterminated string ends the count, since the parser refuses that text anyway.
    """
    depth = deepest = 0
    for match in _TOKEN.finditer(raw):
        token = match.group()
        if token == b'"':
            break
        if token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    break
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        limit = settings.HANDGEN_MAX_JSON_DEPTH
        if json_depth(raw, limit) > limit:
            raise ParseError(f"JSON parse error - nested deeper than {limit} levels.")
        return super().parse(io.BytesIO(raw), media_type, parser_context)
