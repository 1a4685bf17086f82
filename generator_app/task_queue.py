"""Queue background work by task name, without importing the tasks.

The tasks (``generator_app.tasks``) call the worker code (``generator_app.worker``), which loads
Keras, OpenCV and Optuna; the web process never imports either, so it sends its messages by
name. Each task registers under the name given here, and CELERY_TASK_ROUTES picks its queue from
that name: ``train_*`` go to ``gpu``, ``generate_*`` to ``generate``, the rest to ``default``.
"""

from handgen_site.celery import app

PING = "generator_app.tasks.ping"
TRAIN_RUN = "generator_app.tasks.train_run"
DOWNLOAD_DATASET = "generator_app.tasks.download_dataset"
RECOVER_STALE_RUNS = "generator_app.tasks.recover_stale_runs"
ADVANCE_SWEEP = "generator_app.tasks.advance_sweep"
ADVANCE_RUNNING_SWEEPS = "generator_app.tasks.advance_running_sweeps"
GENERATE_TEXT = "generator_app.tasks.generate_text"
GENERATE_WARM_UP = "generator_app.tasks.generate_warm_up"
EXPORT_DATASET = "generator_app.tasks.export_dataset"
TRAIN_USEFULNESS_SCORE = "generator_app.tasks.train_usefulness_score"
SWEEP_STALE_GENERATIONS = "generator_app.tasks.sweep_stale_generations"
FAIL_STALE_JOBS = "generator_app.tasks.fail_stale_jobs"
EXTRACT_HAND_SHEET = "generator_app.tasks.extract_hand_sheet"
TRAIN_HAND = "generator_app.tasks.train_hand"


def send_task(name: str, *args, **options):
    """Queue task ``name`` with positional ``args`` (ids, never objects); ``options`` as for
    ``apply_async`` (``queue``, ``countdown``). Returns its AsyncResult; a broker error is raised.

    The worker applies the task's own settings (time limits, ``acks_late``, ``ignore_result``)
    from its registration, as it would for ``apply_async``.
    """
    return app.send_task(name, args=list(args), **options)
