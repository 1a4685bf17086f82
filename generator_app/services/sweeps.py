"""Admin-facing operations on sweeps: create, cancel, publish the best trial's generator.

Creating a sweep stores the row and, once committed, sends ``advance_sweep`` to a worker,
which creates the Optuna study and queues the first trials (see ``generator_app.worker.sweep_advance``).
Nothing here talks to Optuna's tables: on SQLite, the web request's transaction holds the
database's write lock, and Optuna's own connection would wait on it.
"""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from generator_app import task_queue
from generator_app.models import GeneratorModel, RunStatus, SamplerKind, Sweep, SweepStatus, TrainingRun
from generator_app.models.sweep_space import SearchSpaceError, config_value, contains
from ml.train.config import ConfigError

from .sweep_config import check_sweep_config
from .training import cancel_run

logger = logging.getLogger(__name__)


def enqueue_advance(sweep_id, *, countdown=0):
    """Send ``advance_sweep``; a broker error is logged (beat advances every running sweep anyway)."""
    try:
        task_queue.send_task(task_queue.ADVANCE_SWEEP, sweep_id, countdown=countdown)
    except Exception:  # noqa: BLE001  (the sweep's state is in the database; beat picks it up)
        logger.exception("sweep %s: could not send advance_sweep; beat will advance it", sweep_id)


def _base_outside_space(config, search_space):
    """Choices the base config's value is not among (Optuna cannot record it for trial 0).
    A range may leave the base value outside: trial 0 is the base config as it is."""
    return [
        f"{name}: the base config's value {config_value(config, name)!r} is not among these choices; "
        "add it, change the base value, or untick 'base trial'"
        for name, spec in search_space.items()
        if spec["type"] == "choice" and not contains(spec, config_value(config, name))
    ]


@transaction.atomic
def create_sweep(*, dataset, architecture, options, search_space, objective, direction, n_trials,
                 sampler=SamplerKind.TPE, sampler_seed=0, pruner="median", pruner_startup_trials=2,
                 pruner_warmup_epochs=0, parallelism=2, base_trial=True, queue="gpu", name="", created_by=None):  # fmt: skip
    """Store a sweep and have a worker start it. Raises ``ValidationError`` keyed by field
    (``hyperparameters`` for base options, ``search_space`` for the space); nothing is stored then."""
    import optuna

    try:
        config = check_sweep_config(
            dataset=dataset, architecture=architecture, options=options, search_space=search_space,
            grid=sampler == SamplerKind.GRID,
        )  # fmt: skip
    except SearchSpaceError as error:
        raise ValidationError({"search_space": error.problems}) from None
    except ConfigError as error:
        raise ValidationError({"hyperparameters": str(error)}) from None
    if base_trial:
        outside = _base_outside_space(config, search_space)
        if outside:
            raise ValidationError({"search_space": outside})
    sweep = Sweep(
        name=name, dataset=dataset, architecture=architecture, base_config=config, search_space=search_space,
        objective=objective, direction=direction, sampler=sampler, sampler_seed=sampler_seed, pruner=pruner,
        pruner_startup_trials=pruner_startup_trials, pruner_warmup_epochs=pruner_warmup_epochs,
        n_trials=n_trials, parallelism=parallelism, base_trial=base_trial, queue=queue,
        status=SweepStatus.RUNNING, study_name=f"handgen-sweep-{uuid.uuid4().hex}",
        optuna_version=optuna.__version__, created_by=created_by,
    )  # fmt: skip
    sweep.full_clean()
    sweep.save()
    transaction.on_commit(lambda: enqueue_advance(sweep.pk))
    return sweep


def cancel_sweep(*, sweep):
    """Stop a sweep: no new trials, and its queued or running trials are cancelled (each stops
    within an epoch). Returns the ids of the trials cancelled; raises ``ValidationError`` when
    the sweep had already ended."""
    with transaction.atomic():
        now = timezone.now()
        if not Sweep.objects.filter(pk=sweep.pk, status=SweepStatus.RUNNING).update(
            status=SweepStatus.CANCELLED, finished_at=now
        ):
            raise ValidationError(f"Sweep {sweep.pk} has already ended.")
        cancelled = [
            run.pk
            for run in TrainingRun.objects.filter(sweep=sweep, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
            if cancel_run(run=run)
        ]
    sweep.refresh_from_db()
    # The workers tell Optuna as their trials stop; this records the queued ones at once.
    transaction.on_commit(lambda: enqueue_advance(sweep.pk))
    return cancelled


@transaction.atomic
def publish_best_trial(*, sweep):
    """Make the generator of the sweep's best finished trial its charset's default; returns it.

    Raises ``ValidationError`` when no trial has finished with a generator yet.
    """
    from generator_app.selectors.sweeps import best_trial

    best = best_trial(sweep=sweep)
    generator = GeneratorModel.objects.filter(run=best).first() if best is not None else None
    if generator is None:
        raise ValidationError(f"Sweep {sweep.pk} has no finished trial with a generator yet.")
    generator = GeneratorModel.objects.select_for_update().get(pk=generator.pk)
    GeneratorModel.objects.filter(charset=generator.charset, is_default=True).exclude(pk=generator.pk).update(
        is_default=False
    )
    generator.is_default = True
    generator.full_clean()
    generator.save()
    return generator
