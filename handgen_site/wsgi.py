"""WSGI entry point (gunicorn). Must stay free of TensorFlow/JAX imports: a test checks it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handgen_site.settings")

application = get_wsgi_application()
