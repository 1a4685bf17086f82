"""Training runs through real Celery worker processes: launch, duplicate delivery, cancel, worker death.

Tiny runs on the synthetic fixture set (2 steps of 8 images per epoch, 8-channel
networks); most of each test's time is the worker importing TensorFlow and compiling the
step. The first worker is the session's shared one; the worker-death test kills it with
SIGKILL and lets a fresh worker (with celery beat and short heartbeat settings) pick the
run up from its last checkpoint.
"""

import time

import pytest
from django.urls import reverse
from django_celery_results.models import TaskResult

from generator_app.models import Dataset, EpochMetric, GeneratorModel, RunStatus, SampleGrid, TrainingRun
from generator_app.services import run_files
from generator_app.tasks import train_run
from generator_app.worker import run_execution

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RUN_TIMEOUT = 600  # seconds; generous: the CPU is shared with other training jobs


@pytest.fixture
def fixture_dataset():
    return Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")


def wait_for(predicate, *, timeout=RUN_TIMEOUT, what="condition", worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    logs = worker.logs()[-5000:] if worker is not None else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{logs}")


def launch(admin_client, dataset, **changes):
    """Submit the admin's New training run form; return (run, seconds the POST took, time of Save)."""
    form = {"name": "tiny", "dataset": dataset.pk, "architecture": "cgan-strong", "queue": "gpu", "epochs": 3,
            "seed": 5, "steps_per_epoch": 2, "batch_size": 8, "log_every": 1, "g_width": 8, "d_width": 8,
            "latent_dim": 8, "grid_per_class": 2, "eval_images": 0}  # fmt: skip
    form.update(changes)
    saved_at = time.monotonic()
    response = admin_client.post(reverse("admin:generator_app_trainingrun_add"), form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    return TrainingRun.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2])), saved_at


def status_of(run):
    return TrainingRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()


def epochs_recorded(run):
    return list(EpochMetric.objects.filter(run=run).order_by("epoch").values_list("epoch", flat=True))


def finished(run):
    return status_of(run) in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


def assert_succeeded(run, epochs):
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, f"{run.status}: {run.error_message}\n{run.error_details}"
    assert epochs_recorded(run) == list(range(1, epochs + 1))  # exactly one row per epoch
    assert list(SampleGrid.objects.filter(run=run).values_list("epoch", flat=True)) == list(range(1, epochs + 1))
    assert (run.epochs_done, run.steps_done, run.steps_total) == (epochs, 2 * epochs, 2 * epochs)
    generator = GeneratorModel.objects.get(run=run)
    assert generator.name == f"run-{run.pk}-cgan-strong" and generator.charset == "digits"
    assert not generator.is_default and generator.weights.size > 0
    return run, generator


def test_a_run_launched_from_the_admin_trains_records_and_publishes_once(admin_client, celery_worker,
                                                                         fixture_dataset):  # fmt: skip
    run, saved_at = launch(admin_client, fixture_dataset)
    duplicate = train_run.apply_async(args=[run.pk], queue="gpu")  # the same task delivered a second time
    wait_for(lambda: EpochMetric.objects.filter(run=run).exists(), what="the first epoch", worker=celery_worker)
    first_metric_seconds = time.monotonic() - saved_at
    wait_for(lambda: finished(run), what="the run to finish", worker=celery_worker)
    run, generator = assert_succeeded(run, 3)
    print(f"\nSave -> first epoch metric: {first_metric_seconds:.1f} s (worker already running)")

    metric = EpochMetric.objects.get(run=run, epoch=3)
    assert {"d_loss", "g_loss", "d_aux_loss", "g_aux_loss"} == set(metric.losses)
    assert {"d_acc_real", "d_acc_fake", "images_per_second", "epoch_seconds"} <= set(metric.metrics)
    assert metric.step == 6 and metric.step_series["step"] == [5, 6] and len(metric.step_series["g_loss"]) == 2
    assert metric.duration_seconds == pytest.approx(metric.metrics["epoch_seconds"])
    # Provenance the worker recorded.
    assert run.attempts == 1 and run.worker_host and run.backend in ("tensorflow", "jax")
    assert run.device and run.code_version and "keras" in run.package_versions
    assert run.heartbeat_at is None and run.finished_at >= run.started_at
    assert run.final_evaluation["metrics"]  # full evaluation, or the last epoch's figures with a note
    assert (run_files.work_folder(run.pk) / "checkpoints" / "latest.json").is_file()
    assert generator.weights_sha256 and generator.weights.path.endswith("model.keras")
    if run.training_gif:
        assert run.training_gif.size > 0
    page = admin_client.get(reverse("admin:generator_app_trainingrun_change", args=[run.pk])).content.decode()
    assert 'data-active="0"' in page and "Succeeded" in page

    # The duplicate delivery found the run taken (or finished) and added nothing.
    result = wait_for(
        lambda: TaskResult.objects.filter(task_id=duplicate.id, status="SUCCESS").first(),
        what="the duplicate's result",
        worker=celery_worker,
    )
    assert "skipped" in result.result
    assert run.attempts == 1 and GeneratorModel.objects.filter(run=run).count() == 1
    # A third delivery, after the end, changes nothing either.
    assert run_execution.execute_training_run(run_id=run.pk) == {"run": run.pk, "skipped": "the run is succeeded"}
    assert epochs_recorded(run) == [1, 2, 3]


def test_a_cancelled_run_stops_within_an_epoch_and_resumes_to_the_end(admin_client, celery_worker, fixture_dataset):
    epochs = 25
    run, _ = launch(admin_client, fixture_dataset, epochs=epochs)
    wait_for(lambda: EpochMetric.objects.filter(run=run).exists(), what="the first epoch", worker=celery_worker)
    cancel_url = reverse("admin:generator_app_trainingrun_cancel", args=[run.pk])
    assert "Stop these runs?" in admin_client.get(cancel_url).content.decode()
    admin_client.post(cancel_url)
    done_when_cancelled = TrainingRun.objects.get(pk=run.pk).epochs_done
    wait_for(lambda: TrainingRun.objects.get(pk=run.pk).heartbeat_at is None, what="the worker to let go",
             worker=celery_worker)  # fmt: skip
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    recorded = epochs_recorded(run)
    assert recorded == list(range(1, len(recorded) + 1))
    assert len(recorded) <= done_when_cancelled + 1 < epochs  # at most the epoch it was finishing
    assert (run_files.work_folder(run.pk) / "checkpoints" / "latest.json").is_file()

    admin_client.post(reverse("admin:generator_app_trainingrun_resume", args=[run.pk]))
    wait_for(lambda: finished(run), what="the resumed run to finish", worker=celery_worker)
    run, _ = assert_succeeded(run, epochs)
    assert run.attempts == 2


def test_a_killed_worker_s_run_resumes_on_a_new_worker(admin_client, celery_worker, celery_worker_env,
                                                       start_celery_worker, fixture_dataset, tmp_path):  # fmt: skip
    epochs = 30
    run, _ = launch(admin_client, fixture_dataset, epochs=epochs)
    wait_for(lambda: TrainingRun.objects.get(pk=run.pk).epochs_done >= 2, what="two epochs", worker=celery_worker)
    celery_worker.kill()  # SIGKILL, worker and its pool child at once
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.epochs_done < epochs
    first_worker = run.worker_host

    env = {**celery_worker_env, "HANDGEN_RUN_HEARTBEAT_SECONDS": "1", "HANDGEN_RUN_STALE_SECONDS": "4",
           "HANDGEN_RUN_RECOVERY_INTERVAL": "1"}  # fmt: skip
    second = start_celery_worker(env=env, extra_args=["-B", "-s", str(tmp_path / "beat-schedule")])
    wait_for(lambda: finished(run), what="the recovered run to finish", worker=second)
    run, _ = assert_succeeded(run, epochs)
    assert (run.attempts, run.recoveries) == (2, 1)
    assert run.worker_host != first_worker and "(pid " in run.worker_host
    assert "re-queued" in second.logs()
