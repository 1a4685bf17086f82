"""Sweeps through real Celery workers: a tiny sweep with one pruned trial, cancel, a worker killed mid-sweep.

Trials train the synthetic fixture set at the size of the other worker tests (2 steps of
8 images per epoch, 8-channel networks). The objective is the discriminator loss, which
every run records without an evaluator. With ``aux_weight`` in [30, 40] the auxiliary
classifier term (~ln 10 per unit of weight at the start) puts a trial's ``d_loss`` far
above the base config's (``aux_weight`` 0): that makes the pruning outcome independent
of which values the sampler draws.
"""

import json

import pytest
from django.urls import reverse
from test_training_worker import RUN_TIMEOUT, wait_for

from generator_app.models import Dataset, EpochMetric, RunStatus, Sweep, SweepStatus, TrainingRun

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BAD_AUX = {"aux_weight": {"type": "float", "low": 30.0, "high": 40.0}}



@pytest.fixture(autouse=True, scope="module")
def _close_optuna_connections():
    """Optuna's connection pool in this process would keep PostgreSQL from dropping the test database."""
    yield
    from generator_app.worker.sweep_study import close_storages

    close_storages()

@pytest.fixture
def fixture_dataset():
    return Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")


def create_sweep_from_admin(admin_client, dataset, *, space, **changes):
    form = {"name": "tiny sweep", "dataset": dataset.pk, "architecture": "cgan-strong", "queue": "gpu", "epochs": 3,
            "seed": 5, "steps_per_epoch": 2, "batch_size": 8, "log_every": 1, "g_width": 8, "d_width": 8,
            "latent_dim": 8, "grid_per_class": 2, "eval_images": 0, "aux_weight": 0.0,
            "search_space": json.dumps(space), "objective": "d_loss", "direction": "", "sampler": "random",
            "sampler_seed": 3, "n_trials": 3, "parallelism": 1, "base_trial": "on", "pruner": "median",
            "pruner_startup_trials": 2, "pruner_warmup_epochs": 0}  # fmt: skip
    form.update(changes)
    response = admin_client.post(reverse("admin:generator_app_sweep_add"), form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    return Sweep.objects.get()


def sweep_status(sweep):
    return Sweep.objects.filter(pk=sweep.pk).values_list("status", flat=True).first()


def optuna_states(sweep):
    from generator_app.worker.sweep_study import load_study

    return {t.number: t.state.name for t in load_study(sweep).get_trials(deepcopy=False)}


def test_a_tiny_sweep_runs_its_trials_prunes_the_bad_one_and_ends_with_a_leaderboard(admin_client, celery_worker,
                                                                                      fixture_dataset):  # fmt: skip
    sweep = create_sweep_from_admin(admin_client, fixture_dataset, space=BAD_AUX)
    assert sweep.direction == "minimize" and sweep.study_name and sweep.optuna_version
    wait_for(lambda: sweep_status(sweep) != SweepStatus.RUNNING, what="the sweep to finish", worker=celery_worker)
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.FINISHED, sweep.error_message

    trials = {run.trial_number: run for run in TrainingRun.objects.filter(sweep=sweep)}
    assert sorted(trials) == [0, 1, 2]
    assert trials[0].trial_params == {"aux_weight": 0.0} and trials[0].hyperparameters["aux_weight"] == 0.0
    for number in (1, 2):  # Optuna's values reached the trainer's config
        assert 30.0 <= trials[number].trial_params["aux_weight"] <= 40.0
        assert trials[number].hyperparameters["aux_weight"] == trials[number].trial_params["aux_weight"]
    # Trial 1 could not be pruned (one completed trial; the pruner waits for two); trial 2's
    # d_loss at epoch 1 is far above the median of trials 0 and 1: pruned there, and stopped.
    assert (trials[0].status, trials[1].status) == (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED)
    pruned = trials[2]
    assert pruned.status == RunStatus.PRUNED, (pruned.status, pruned.error_message)
    assert pruned.epochs_done == 1 and pruned.finished_at is not None
    assert list(EpochMetric.objects.filter(run=pruned).values_list("epoch", flat=True)) == [1]
    assert "median pruner: at epoch 1 the median Discriminator loss of 2 completed trials" in pruned.pruned_reason
    epoch_1 = {n: EpochMetric.objects.get(run=trials[n], epoch=1).losses["d_loss"] for n in trials}
    assert epoch_1[2] > (epoch_1[0] + epoch_1[1]) / 2
    assert f"this trial {epoch_1[2]:.4g}" in pruned.pruned_reason
    assert not pruned.generators.exists() and trials[0].generators.exists()

    # Optuna's view agrees: results told, the pruned trial recorded as pruned.
    assert optuna_states(sweep) == {0: "COMPLETE", 1: "COMPLETE", 2: "PRUNED"}

    # The leaderboard: the base config (lowest d_loss) first, the pruned trial last.
    page = admin_client.get(reverse("sweep_detail", args=[sweep.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index('data-trial="0"') < body.index('data-trial="1"') < body.index('data-trial="2"')
    assert "Pruned" in body and pruned.pruned_reason[:40] in body and "Compare the top trials" in body
    api = admin_client.get(reverse("sweep-trials", args=[sweep.pk])).json()
    assert [t["trial_number"] for t in api] == [0, 1, 2] and api[0]["rank"] == 1
    assert api[2]["status"] == "pruned" and api[2]["result_epoch"] == 1


def test_cancelling_a_sweep_cancels_its_trials_and_asks_for_no_more(admin_client, celery_worker, fixture_dataset):
    sweep = create_sweep_from_admin(admin_client, fixture_dataset, space=BAD_AUX, epochs=40, parallelism=2,
                                    n_trials=6, pruner="none")  # fmt: skip
    wait_for(lambda: TrainingRun.objects.filter(sweep=sweep, epochs_done__gte=1).exists(), what="a trial's epoch",
             worker=celery_worker)  # fmt: skip
    assert TrainingRun.objects.filter(sweep=sweep).count() == 2  # parallelism 2: one running, one queued
    cancel_url = reverse("admin:generator_app_sweep_cancel", args=[sweep.pk])
    assert "Stop " in admin_client.get(cancel_url).content.decode()
    admin_client.post(cancel_url, {"post": "yes"})
    assert sweep_status(sweep) == SweepStatus.CANCELLED
    wait_for(lambda: not TrainingRun.objects.filter(sweep=sweep).exclude(heartbeat_at=None).exists(),
             what="the worker to let go", worker=celery_worker)  # fmt: skip
    wait_for(lambda: set(optuna_states(sweep).values()) == {"FAIL"}, what="Optuna told", worker=celery_worker)
    runs = TrainingRun.objects.filter(sweep=sweep)
    assert runs.count() == 2 and set(runs.values_list("status", flat=True)) == {RunStatus.CANCELLED}
    assert all(run.epochs_done < 40 for run in runs)


def test_a_sweep_survives_its_worker_being_killed_mid_trial(admin_client, celery_worker, celery_worker_env,
                                                            start_celery_worker, fixture_dataset, tmp_path):  # fmt: skip
    sweep = create_sweep_from_admin(admin_client, fixture_dataset, space=BAD_AUX, epochs=12, n_trials=2,
                                    pruner="none")  # fmt: skip
    first = wait_for(lambda: TrainingRun.objects.filter(sweep=sweep, trial_number=0, epochs_done__gte=2).first(),
                     what="two epochs of trial 0", worker=celery_worker)  # fmt: skip
    celery_worker.kill()  # SIGKILL, mid-trial: nobody tells Optuna or asks for trial 1
    first.refresh_from_db()
    assert first.status == RunStatus.RUNNING and first.epochs_done < 12

    env = {**celery_worker_env, "HANDGEN_RUN_HEARTBEAT_SECONDS": "1", "HANDGEN_RUN_STALE_SECONDS": "4",
           "HANDGEN_RUN_RECOVERY_INTERVAL": "2"}  # fmt: skip
    second = start_celery_worker(env=env, extra_args=["-B", "-s", str(tmp_path / "beat-schedule")])
    wait_for(lambda: sweep_status(sweep) != SweepStatus.RUNNING, timeout=RUN_TIMEOUT, what="the sweep to finish",
             worker=second)  # fmt: skip
    sweep.refresh_from_db()
    assert sweep.status == SweepStatus.FINISHED, sweep.error_message
    runs = {run.trial_number: run for run in TrainingRun.objects.filter(sweep=sweep)}
    assert sorted(runs) == [0, 1]
    assert {run.status for run in runs.values()} == {RunStatus.SUCCEEDED}
    assert (runs[0].attempts, runs[0].recoveries) == (2, 1)  # resumed from its checkpoint, not restarted
    assert list(EpochMetric.objects.filter(run=runs[0]).values_list("epoch", flat=True)) == list(range(1, 13))
    assert optuna_states(sweep) == {0: "COMPLETE", 1: "COMPLETE"}
