"""Refuse requests that no view should ever read: over-long bodies, NUL bytes in the query.

Django spools an upload to a temporary file while it parses the body, before any form can
check a size, so a size limit has to act on the ``Content-Length`` header, before the
body is touched. Under WSGI that header bounds what Django reads (a chunked body without
it is read as empty). Each route gets ``HANDGEN_MAX_REQUEST_BYTES``; routes named in
``HANDGEN_LARGE_BODY_ROUTES`` allow more, to staff only, so an anonymous client cannot
use the admin's upload route to fill the disk either; routes in
``HANDGEN_SIGNED_IN_BODY_ROUTES`` (a photo of a handwriting sheet) allow more to any
signed-in user, never to an anonymous client.

PostgreSQL cannot store or compare text containing NUL, so a NUL in a filter would reach
the database as an error (500); no legitimate query string contains one.
"""

from django.conf import settings
from django.http import HttpResponse

NUL_MARKERS = ("%00", "\x00")


def _content_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads no body for an unreadable length either


def body_limit_for(request) -> int:
    """Bytes the matched route accepts from this user."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_active:
        return settings.HANDGEN_MAX_REQUEST_BYTES
    larger = settings.HANDGEN_LARGE_BODY_ROUTES.get(match.view_name) if user.is_staff else None
    larger = larger or settings.HANDGEN_SIGNED_IN_BODY_ROUTES.get(match.view_name)
    return larger or settings.HANDGEN_MAX_REQUEST_BYTES


def _refuse(status, message):
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


class RequestGuardMiddleware:
    """Placed before the CSRF middleware, whose ``process_view`` is the first to read a POST body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if any(marker in query for marker in NUL_MARKERS) or "\x00" in request.path:
            return _refuse(400, "The request contains a NUL character, which no parameter accepts.")
        # A body far over every route's limit is refused before URL resolution and sign-in.
        ceiling = max([settings.HANDGEN_MAX_REQUEST_BYTES, *settings.HANDGEN_LARGE_BODY_ROUTES.values(),
                       *settings.HANDGEN_SIGNED_IN_BODY_ROUTES.values()])
        if _content_length(request) > ceiling:
            return self._too_large(ceiling)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = body_limit_for(request)
        if _content_length(request) > limit:
            return self._too_large(limit)
        return None

    @staticmethod
    def _too_large(limit):
        return _refuse(413, f"The request body is larger than this address accepts ({limit:,} bytes).")
