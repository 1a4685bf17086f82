"""Celery tasks. Each one calls a service and holds no logic of its own; arguments are ids.

Training and generation tasks (``train_*``, ``generate_*``) are routed to the ``gpu``
queue by CELERY_TASK_ROUTES; everything else goes to ``default``.
"""

import os
import socket

from celery import shared_task


@shared_task(name="generator_app.tasks.ping", ignore_result=False)
def ping():
    """Prove a worker is alive and consuming: answers with who ran it."""
    return {"pong": True, "hostname": socket.gethostname(), "pid": os.getpid()}
