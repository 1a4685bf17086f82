"""Template flags that the base layout needs on every page."""

from django.conf import settings


def site_flags(request):
    return {"signup_enabled": settings.HANDGEN_ALLOW_SIGNUP}
