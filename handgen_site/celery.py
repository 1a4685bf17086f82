"""The Celery application.

Configuration lives in Django settings under the ``CELERY_`` prefix, so the web
process and every worker read one source of truth (the environment).
"""

import os

from celery import Celery

from handgen_site import broker

broker.register()  # filesystem:// without the half-written-message race (see broker.py)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handgen_site.settings")

app = Celery("handgen_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Lazy: a worker imports generator_app.tasks as it starts; the web process never does (it queues
# tasks by name, generator_app.task_queue).
app.autodiscover_tasks()
