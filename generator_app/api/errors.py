"""The API's exception handler: Django's ValidationError is a 400, and refused credentials
spend the anonymous rate.

Services and selectors raise ``django.core.exceptions.ValidationError`` (they serve forms
and tasks too); turning it into DRF's 400 here keeps every view free of the same
try/except. A field-keyed error keeps its keys (``{"hyperparameters": [...]}``); a plain
one answers ``{"detail": [...]}``.

DRF checks permissions before throttles, so a client without valid credentials is turned
away with 401 before any throttle counts it: unlimited token guesses, each a database
lookup. Counting those answers against the per-address ``anon`` rate, here, covers every
endpoint at once; over the rate the answer becomes 429.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, Throttled, ValidationError
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler


def _as_api_error(error: DjangoValidationError) -> ValidationError:
    """DRF's 400 for a Django ValidationError, with the body the API has always given."""
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _as_api_error(exc)
    request = context.get("request")
    if isinstance(exc, NotAuthenticated | AuthenticationFailed) and request is not None:
        throttle = AnonRateThrottle()
        if not throttle.allow_request(request, context.get("view")):
            exc = Throttled(throttle.wait())
    return drf_exception_handler(exc, context)
