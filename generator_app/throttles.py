"""Rate limits shared by pages and the API (DRF's throttles).

The Generate page and ``POST /api/generations/`` queue the same work, so they spend one
budget: a client that hits the API's limit cannot switch to the form. Pages call
``check_throttle``; API views list the same classes. Budgets are counted in the default
cache, which every web process shares (Redis, or a database table).
"""

from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class UserRequestRateThrottle(UserRateThrottle):
    """Every API call per user (``user`` rate), polls included: counted in the "request_rates"
    cache, which is Redis when configured, else per process, so that reading a result costs
    no database write. Anonymous clients are rare and counted in the shared cache."""

    @property
    def cache(self):
        return caches["request_rates"]


class GenerationCreateThrottle(UserRateThrottle):
    """New generation requests per user (``generate`` rate)."""

    scope = "generate"


class SignupThrottle(AnonRateThrottle):
    """Sign-up form posts per client address (``signup`` rate)."""

    scope = "signup"


class Throttled(PermissionDenied):
    """A page's request over its rate; ``wait`` is the seconds until the next one is allowed."""

    def __init__(self, wait):
        self.wait = wait
        super().__init__(self.message)

    @property
    def message(self):
        seconds = int(self.wait or 0) + 1
        return f"Too many requests: try again in {seconds} second{'s' if seconds != 1 else ''}."


def check_throttle(request, throttle_class):
    """Count this request against ``throttle_class``; raise ``Throttled`` when over the rate."""
    throttle = throttle_class()
    if not throttle.allow_request(request, None):
        raise Throttled(throttle.wait())


def render_throttled(request, template, context, throttled):
    """The page again, its form carrying the wait as an error: 429 with Retry-After."""
    context["form"].add_error(None, throttled.message)
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(int(throttled.wait or 0) + 1)
    return response
