"""The API's exception handler: refused credentials spend the anonymous rate.

DRF checks permissions before throttles, so a client without valid credentials is turned
away with 401 before any throttle counts it: unlimited token guesses, each a database
lookup. Counting those answers against the per-address ``anon`` rate, here, covers every
endpoint at once; over the rate the answer becomes 429.
"""

from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, Throttled
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, NotAuthenticated | AuthenticationFailed) and request is not None:
        throttle = AnonRateThrottle()
        if not throttle.allow_request(request, context.get("view")):
            exc = Throttled(throttle.wait())
    return drf_exception_handler(exc, context)
