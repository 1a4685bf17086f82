"""``advance_sweep`` without a worker: ask up to the parallelism, store a run per trial (orphans
included), tell results from the runs' rows, finish; on Optuna's real storage in the test database.

The runs' outcomes are written here the way the worker writes them, so each step's
effect on Optuna and on the sweep can be checked one pass at a time.
"""

import pytest
from django.utils import timezone

from generator_app.models import Dataset, EpochMetric, RunStatus, SweepStatus, TrainingRun
from generator_app.models.sweep_space import to_distributions
from generator_app.services.sweeps import cancel_sweep, create_sweep
from generator_app.worker.sweep_advance import advance_sweep
from generator_app.worker.sweep_study import load_study

pytestmark = pytest.mark.django_db(transaction=True)  # Optuna writes through its own connection

SPACE = {"aux_weight": {"type": "choice", "values": [0.0, 0.5, 1.0]}, "g_width": {"type": "int", "low": 8, "high": 16,
                                                                                 "step": 8}}  # fmt: skip



@pytest.fixture(autouse=True, scope="module")
def _close_optuna_connections():
    """Optuna's connection pool in this process would keep PostgreSQL from dropping the test database."""
    yield
    from generator_app.worker.sweep_study import close_storages

    close_storages()

@pytest.fixture
def sent(monkeypatch):
    """Run ids handed to the broker, which is kept out of it: a worker another test left running
    would otherwise train these runs while this test writes their outcomes."""
    from generator_app.services import sweeps, training

    ids = []
    monkeypatch.setattr(training, "enqueue_training_run", lambda run: ids.append(run.pk) or f"task-{run.pk}")
    monkeypatch.setattr(sweeps, "enqueue_advance", lambda sweep_id, countdown=0: None)  # this test advances itself
    return ids


@pytest.fixture
def sweep(media_root, sent):
    dataset = Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")
    return create_sweep(
        dataset=dataset, architecture="cgan-strong", options={"epochs": 2, "g_width": 8, "eval_images": 0},
        search_space=SPACE, objective="d_loss", direction="minimize", n_trials=4, sampler="grid", sampler_seed=1,
        pruner="none", parallelism=2,
    )  # fmt: skip


def finish(run, status=RunStatus.SUCCEEDED, d_loss=1.0):
    now = timezone.now()
    EpochMetric.objects.create(run=run, epoch=1, step=1, losses={"d_loss": d_loss})
    TrainingRun.objects.filter(pk=run.pk).update(
        status=status, started_at=now, finished_at=now, epochs_done=1,
        pruned_reason="test" if status == RunStatus.PRUNED else "", error_message="boom" if status == "failed" else "",
    )  # fmt: skip


def states(sweep):
    return {t.number: t.state.name for t in load_study(sweep).get_trials(deepcopy=False)}


def test_ask_tell_over_a_whole_grid_sweep(sweep, sent):
    report = advance_sweep(sweep_id=sweep.pk)
    assert report["asked"] == [0, 1] and report["told"] == 0  # parallelism 2
    runs = {r.trial_number: r for r in TrainingRun.objects.filter(sweep=sweep)}
    assert sorted(sent) == sorted(r.pk for r in runs.values())  # each trial's run sent to its queue once
    assert runs[0].trial_params == {"aux_weight": 1.0, "g_width": 8}  # the base config
    assert runs[1].trial_params["g_width"] in (8, 16) and runs[1].hyperparameters["g_width"] == runs[1].trial_params["g_width"]
    assert all(r.status == RunStatus.QUEUED and r.queue == "gpu" and r.epochs_total == 2 for r in runs.values())
    assert advance_sweep(sweep_id=sweep.pk)["asked"] == []  # both still active: nothing more

    finish(runs[0], d_loss=0.7)
    finish(runs[1], status=RunStatus.PRUNED, d_loss=1.5)
    report = advance_sweep(sweep_id=sweep.pk)
    assert report["told"] == 2 and report["asked"] == [2, 3]
    assert states(sweep) == {0: "COMPLETE", 1: "PRUNED", 2: "RUNNING", 3: "RUNNING"}
    assert load_study(sweep).trials[0].value == pytest.approx(0.7)
    grid_points = {tuple(sorted(r.trial_params.items())) for r in TrainingRun.objects.filter(sweep=sweep, trial_number__gte=1)}
    assert len(grid_points) == 3  # the grid sampler never repeats a point while some are left

    # A trial Optuna handed out whose run was never stored (the process died in between).
    orphan = load_study(sweep, trials_so_far=4).ask(fixed_distributions=to_distributions(SPACE))
    advance_sweep(sweep_id=sweep.pk)
    assert TrainingRun.objects.get(sweep=sweep, trial_number=orphan.number).trial_params == orphan.params

    for run in TrainingRun.objects.filter(sweep=sweep, status=RunStatus.QUEUED):
        finish(run, status=RunStatus.FAILED if run.trial_number == 3 else RunStatus.SUCCEEDED, d_loss=0.9)
    report = advance_sweep(sweep_id=sweep.pk)
    assert report["finished"] and report["asked"] == []
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.FINISHED and sweep.finished_at and not sweep.error_message
    assert states(sweep)[3] == "FAIL" and states(sweep)[2] == "COMPLETE"
    assert advance_sweep(sweep_id=sweep.pk) == {"sweep": sweep.pk, "told": 0, "asked": [], "finished": False}


def test_a_cancelled_sweep_tells_its_trials_and_asks_for_no_more(sweep):
    advance_sweep(sweep_id=sweep.pk)
    cancelled = cancel_sweep(sweep=sweep)
    assert len(cancelled) == 2 and set(TrainingRun.objects.values_list("status", flat=True)) == {"cancelled"}
    report = advance_sweep(sweep_id=sweep.pk)
    assert report["told"] == 2 and report["asked"] == []
    assert set(states(sweep).values()) == {"FAIL"} and TrainingRun.objects.count() == 2


def test_one_process_advances_a_sweep_at_a_time(sweep):
    from generator_app.worker.sweep_advance import _take_lease

    assert _take_lease(sweep.pk)
    assert advance_sweep(sweep_id=sweep.pk)["skipped"] == "another process is advancing it"
    assert not TrainingRun.objects.exists()


def test_a_storage_failure_is_noted_on_the_sweep_without_naming_the_storage(sweep, monkeypatch, caplog):
    from generator_app.models import Sweep
    from generator_app.worker import sweep_advance

    def unreachable(_sweep):
        raise RuntimeError('could not connect to server: host "db.internal" user "optuna_admin"')

    monkeypatch.setattr(sweep_advance, "load_study", unreachable)
    with pytest.raises(RuntimeError):
        advance_sweep(sweep_id=sweep.pk)
    note = Sweep.objects.get(pk=sweep.pk).error_message
    assert note == sweep_advance.STORAGE_ERROR_MESSAGE and "db.internal" not in note
    assert "db.internal" in caplog.text  # the operator still finds the cause in the worker log
