"""What Celery workers run: the bodies of the tasks in ``generator_app.tasks``.

Claiming a job, training, drawing, reading a sheet, recovering stale work: code that loads
Keras (TensorFlow or JAX), OpenCV and Optuna as a job needs them. Only worker processes import
this package; the web side queues work by task name (``generator_app.task_queue``) and shares
with the worker only what lies below both, in ``services``, ``selectors`` and ``models``. The
import-linter contracts in pyproject.toml hold the web side to that.
"""
