"""Document, on every operation, the error answers the server really gives.

Views declare their success responses; the errors come from layers every endpoint shares
(authentication, throttles, the request guards, parsers, pagination, path lookups), so they
are added here once, and a new endpoint is documented without doing anything.
"""

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# A 400 is DRF's validation answer: {"field": ["message", ...]} or {"detail": ...}.
VALIDATION = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}, {"type": "object"}]
    },
}
TEXT = {"text/plain": {"schema": {"type": "string"}}}


def _json(schema):
    return {"application/json": {"schema": schema}}


def _has_input(operation, method):
    parameters = [p for p in operation.get("parameters", []) if p.get("in") in ("query", "path")]
    return bool(parameters) or method in ("post", "put", "patch")


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add 400/401/404/413/429 where they can happen."""
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            errors = {
                "401": ("Not signed in: send an API token or a session cookie.", _json(DETAIL)),
                "413": ("The request body is larger than this address accepts.", TEXT),
                "429": ("Too many requests; the Retry-After header says when to try again.", _json(DETAIL)),
            }
            if _has_input(operation, method):
                errors["400"] = (
                    "Invalid parameters or body; each message names the field.",
                    {**_json(VALIDATION), **TEXT},
                )
            # An object, a page or the runs to compare may not exist; any path may match no route.
            errors["404"] = (
                "No such object (or not yours), or a page past the end; a path that matches no route "
                "(an id that is not a number) answers the HTML 'not found' page.",
                {**_json(DETAIL), "text/html": {"schema": {"type": "string"}}},
            )
            if method in ("post", "put", "patch"):
                errors["415"] = ("The body is not JSON, form data or multipart.", _json(DETAIL))
            for status, (description, content) in errors.items():
                responses.setdefault(status, {"description": description, "content": content})
    return result
