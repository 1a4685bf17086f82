"""Moving a sweep on (ask/tell): tell Optuna how ended trials did, ask for new ones, finish.

Called by the worker whose trial just ended, by the ``advance_sweep`` task after the
sweep is created or cancelled, and by celery beat for every running sweep, so a trial
whose worker died, a lost message or a beat restart only delays a sweep. Every step is
idempotent: a trial is told once (only while Optuna still has it running), a trial Optuna
has handed out but whose run was never stored gets its run on the next pass, and the
unique (sweep, trial_number) constraint keeps a trial to one run.

A lease (``Sweep.advancing_until``, taken by one conditional UPDATE) lets one process
advance a sweep at a time, so parallel finishers cannot overshoot ``parallelism``.
Optuna's storage is never touched inside a Django transaction (on SQLite both need the
database's one write lock).
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from generator_app.models import EpochMetric, RunStatus, Sweep, SweepStatus, TrainingRun
from generator_app.models.choices import RUN_TERMINAL_STATUSES
from generator_app.models.sweep_objectives import objective_value
from generator_app.models.sweep_space import apply_params, config_value, to_distributions
from generator_app.services.sweeps import enqueue_advance
from generator_app.services.training import start_training_run

from .sweep_study import load_study

logger = logging.getLogger(__name__)

LEASE_SECONDS = 120
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
BASE_OPTION_EXCLUDES = ("dataset", "data_root", "architecture")


def _take_lease(sweep_id):
    now = timezone.now()
    free = Q(advancing_until__isnull=True) | Q(advancing_until__lt=now)
    return bool(
        Sweep.objects.filter(free, pk=sweep_id).update(advancing_until=now + timedelta(seconds=LEASE_SECONDS))
    )


def _release_lease(sweep_id):
    Sweep.objects.filter(pk=sweep_id).update(advancing_until=None)


def final_objective(run, sweep):
    """The objective at the trial's last recorded epoch (what its generator reached), or None."""
    row = EpochMetric.objects.filter(run=run).order_by("-epoch").values("losses", "metrics").first()
    if row is None:
        return None
    return objective_value(sweep.objective, losses=row["losses"], metrics=row["metrics"])


def _tell_ended_trials(sweep, study):
    """Tell Optuna the outcome of every ended trial it still counts as running; returns how many."""
    from optuna.trial import TrialState

    running = {t.number: t for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))}
    told = 0
    ended = TrainingRun.objects.filter(sweep=sweep, status__in=RUN_TERMINAL_STATUSES, trial_number__in=list(running))
    for run in ended.order_by("trial_number"):
        trial = running[run.trial_number]
        if run.status == RunStatus.SUCCEEDED:
            value = final_objective(run, sweep)
            if value is None:
                logger.warning("sweep %s trial %s: run %s recorded no %s; told as failed",
                               sweep.pk, run.trial_number, run.pk, sweep.objective)  # fmt: skip
                study.tell(trial.number, state=TrialState.FAIL)
            else:
                study.tell(trial.number, value)
        elif run.status == RunStatus.PRUNED:
            study.tell(trial.number, state=TrialState.PRUNED)
        else:  # failed or cancelled
            study.tell(trial.number, state=TrialState.FAIL)
        told += 1
    return told


def _trial_run_name(sweep, number):
    label = sweep.name or f"sweep {sweep.pk}"
    return f"{label}: trial {number}"[:120]


def _start_trial_run(sweep, trial_number, trial_id, params):
    options = {k: v for k, v in sweep.base_config.items() if k not in BASE_OPTION_EXCLUDES}
    return start_training_run(
        dataset=sweep.dataset,
        architecture=sweep.architecture,
        options=apply_params(options, params),
        queue=sweep.queue,
        name=_trial_run_name(sweep, trial_number),
        created_by=sweep.created_by,
        trial={"sweep": sweep, "trial_number": trial_number, "optuna_trial_id": trial_id, "trial_params": params},
    )


def _store_run(sweep, trial_number, trial_id, params):
    """Create the trial's run; a trial whose config ml rejects is told failed instead."""
    from optuna.trial import TrialState

    if TrainingRun.objects.filter(sweep=sweep, trial_number=trial_number).exists():
        return None
    try:
        return _start_trial_run(sweep, trial_number, trial_id, params)
    except IntegrityError:
        return None  # another process stored it first
    except ValidationError as error:
        logger.warning("sweep %s trial %s: %s; told as failed", sweep.pk, trial_number, error.messages)
        load_study(sweep).tell(trial_number, state=TrialState.FAIL)
        return None


def _runs_for_orphans(sweep, study):
    """Runs for trials Optuna handed out whose run was never stored (a crash in between)."""
    from optuna.trial import TrialState

    stored = set(TrainingRun.objects.filter(sweep=sweep).values_list("trial_number", flat=True))
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if trial.number not in stored:
            logger.warning("sweep %s: trial %s has no run yet; storing it", sweep.pk, trial.number)
            _store_run(sweep, trial.number, trial._trial_id, dict(trial.params))


def _ask_new_trials(sweep):
    """Ask for trials until ``parallelism`` are active or ``n_trials`` are handed out; returns their numbers."""
    distributions = to_distributions(sweep.search_space)
    asked = []
    while True:
        handed_out = len(load_study(sweep).get_trials(deepcopy=False))
        active = TrainingRun.objects.filter(sweep=sweep, status__in=ACTIVE).count()
        if active >= sweep.parallelism or handed_out >= sweep.n_trials:
            return asked
        study = load_study(sweep, trials_so_far=handed_out)
        if sweep.base_trial and handed_out == 0:
            study.enqueue_trial({name: config_value(sweep.base_config, name) for name in distributions})
        trial = study.ask(fixed_distributions=distributions)
        _store_run(sweep, trial.number, trial._trial_id, dict(trial.params))
        asked.append(trial.number)


def _finish_if_done(sweep, study):
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    if len(trials) < sweep.n_trials or any(t.state in (TrialState.RUNNING, TrialState.WAITING) for t in trials):
        return False
    if TrainingRun.objects.filter(sweep=sweep, status__in=ACTIVE).exists():
        return False
    now = timezone.now()
    with transaction.atomic():
        return bool(
            Sweep.objects.filter(pk=sweep.pk, status=SweepStatus.RUNNING).update(
                status=SweepStatus.FINISHED, finished_at=now
            )
        )


def advance_sweep(*, sweep_id):
    """One pass of ask/tell for a sweep; returns a small report (or why nothing was done)."""
    sweep = Sweep.objects.filter(pk=sweep_id).first()
    if sweep is None:
        return {"sweep": sweep_id, "skipped": "no such sweep"}
    if not _take_lease(sweep_id):
        return {"sweep": sweep_id, "skipped": "another process is advancing it"}
    try:
        study = load_study(sweep)
        told = _tell_ended_trials(sweep, study)
        sweep.refresh_from_db()
        asked, finished = [], False
        if sweep.status == SweepStatus.RUNNING:
            _runs_for_orphans(sweep, study)
            asked = _ask_new_trials(sweep)
            finished = _finish_if_done(sweep, study)
        if sweep.error_message:
            Sweep.objects.filter(pk=sweep_id).exclude(status=SweepStatus.FAILED).update(error_message="")
    except Exception:
        logger.exception("sweep %s: advancing failed", sweep_id)
        _note_error(sweep_id)
        raise
    finally:
        _release_lease(sweep_id)
    return {"sweep": sweep_id, "told": told, "asked": asked, "finished": finished}


STORAGE_ERROR_MESSAGE = "Bookkeeping with the study storage failed; see the worker log. The next pass retries."


def _note_error(sweep_id):
    """Optuna's storage was unreachable or refused a call: say so on the sweep page. Its trials
    keep running and the next successful pass (beat) clears the note.

    Only a generic note: the error itself (a database driver's names the storage's host and
    user) is in the worker log, while the sweep page and API are read by every signed-in user.
    """
    Sweep.objects.filter(pk=sweep_id).exclude(status=SweepStatus.FAILED).update(error_message=STORAGE_ERROR_MESSAGE)


def advance_running_sweeps():
    """Advance every running sweep (celery beat); returns {sweep id: report}."""
    reports = {}
    for sweep_id in Sweep.objects.filter(status=SweepStatus.RUNNING).values_list("pk", flat=True):
        try:
            reports[sweep_id] = advance_sweep(sweep_id=sweep_id)
        except Exception as error:  # one broken sweep must not stop the others
            reports[sweep_id] = {"error": f"{type(error).__name__}: {error}"}
    return reports


def trial_ended(*, run):
    """The worker's hook when a trial's attempt ends: tell Optuna and queue the next trials at once
    (beat would do it within a minute). Never raises: the run's own outcome is already stored."""
    try:
        report = advance_sweep(sweep_id=run.sweep_id)
    except Exception:
        logger.exception("sweep %s: advancing after run %s failed; beat will retry", run.sweep_id, run.pk)
        return None
    if report.get("skipped") == "another process is advancing it":
        enqueue_advance(run.sweep_id, countdown=2)
    return report
