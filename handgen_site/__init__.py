"""HandGen's Django project: settings, root URLs, WSGI/ASGI entry points and the Celery app.

The Celery app is imported here so that `shared_task` binds to it in every process
(web and worker) as soon as Django loads the project.
"""

from .celery import app as celery_app

__all__ = ("celery_app",)
