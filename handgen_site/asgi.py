"""ASGI entry point, for servers that prefer it; same settings as WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handgen_site.settings")

application = get_asgi_application()
