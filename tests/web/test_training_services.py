"""The run services without a worker: the sink's writes, the claim, recovery, cancel/resume/delete.

No Keras here: the sink is driven with the values the trainer would report, so these
tests are fast and say exactly which rule broke.
"""

import io
import math
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from generator_app.models import Dataset, EpochMetric, GeneratorModel, RunStatus, SampleGrid, TrainingRun
from generator_app.services import run_files, training
from generator_app.worker import run_execution, run_recovery
from generator_app.worker.run_sink import DatabaseSink

STEPS = 4
TRAINER_INFO = {"config": {}, "charset": {"name": "digits"}, "seed": 3, "versions": {"keras": "3.x"},
                "git_commit": "abc123", "backend": "tensorflow", "device": "CPU (x86_64)", "start_epoch": 1,
                "epochs": 3, "steps_per_epoch": STEPS, "g_params": 10, "d_params": 10}  # fmt: skip


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Runs these tests queue are recorded, not sent."""
    sent = []
    monkeypatch.setattr(training, "enqueue_training_run", lambda run: sent.append(run.pk))
    monkeypatch.setattr(run_recovery, "enqueue_training_run", lambda run: sent.append(run.pk))
    return sent


@pytest.fixture
def run(db, media_root, admin_user):
    dataset = Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")
    options = {"epochs": 3, "steps_per_epoch": STEPS, "batch_size": 8, "log_every": 2, "seed": 3}
    return training.start_training_run(dataset=dataset, architecture="cgan-strong", options=options,
                                        name="unit", created_by=admin_user)  # fmt: skip


def png(shade=0):
    buffer = io.BytesIO()
    Image.new("L", (28, 28), shade).save(buffer, format="PNG")
    return buffer.getvalue()


def step_metrics(value):
    return {"d_loss": value, "g_loss": value + 1, "d_acc_real": 0.5, "d_acc_fake": 0.5, "g_grad_mean": 0.1,
            "g_grad_std": 0.2, "d_aux_loss": 2.0, "g_aux_loss": 2.1}  # fmt: skip


def epoch_metrics(epoch):
    return {**step_metrics(float(epoch)), "images_per_second": 100.0, "epoch_seconds": 0.5, "cond_acc": 0.9,
            "fid": math.nan}  # fmt: skip


def claimed(run):
    claimed_run = run_execution.claim_run(run_id=run.pk, worker="test@host", task_id="t1")
    return claimed_run, DatabaseSink(run_id=run.pk, attempt=claimed_run.attempts)


def report_epoch(sink, epoch, shade=0):
    for step in range(2, STEPS + 1, 2):
        sink.on_steps(epoch, step, (epoch - 1) * STEPS + step, step_metrics(float(step)))
    sink.on_epoch(epoch, epoch_metrics(epoch), png(shade))


def test_an_epoch_is_stored_as_one_row_with_its_series_grid_and_progress(run):
    _, sink = claimed(run)
    sink.on_start(TRAINER_INFO)
    report_epoch(sink, 1)
    row = EpochMetric.objects.get(run=run)
    assert (row.epoch, row.step, row.duration_seconds) == (1, STEPS, 0.5)
    assert row.losses == {"d_loss": 1.0, "g_loss": 2.0, "d_aux_loss": 2.0, "g_aux_loss": 2.1}
    assert row.metrics["images_per_second"] == 100.0 and row.metrics["cond_acc"] == 0.9
    assert row.metrics["fid"] is None  # NaN cannot live in a JSON column
    assert row.step_series["step"] == [2, 4] and row.step_series["d_loss"] == [2.0, 4.0]
    assert set(row.step_series) == {"step", "d_loss", "g_loss", "d_acc_real", "d_acc_fake", "g_grad_mean",
                                    "g_grad_std"}  # fmt: skip
    grid = SampleGrid.objects.get(run=run)
    assert grid.epoch == 1 and grid.image.name == f"runs/{run.pk}/samples/epoch-00001.png"
    run.refresh_from_db()
    assert (run.epochs_done, run.steps_done, run.steps_total) == (1, STEPS, 3 * STEPS)
    assert (run.backend, run.device, run.code_version) == ("tensorflow", "CPU (x86_64)", "abc123")
    assert run.package_versions == {"keras": "3.x"}


def test_a_retried_epoch_replaces_its_row_and_picture(run):
    _, sink = claimed(run)
    sink.on_start(TRAINER_INFO)
    report_epoch(sink, 1, shade=0)
    report_epoch(sink, 1, shade=255)
    assert EpochMetric.objects.filter(run=run).count() == 1
    grid = SampleGrid.objects.get(run=run)
    assert grid.image.name.endswith("epoch-00001.png")  # same name: the old file was removed first
    assert Image.open(grid.image.path).getpixel((0, 0)) == 255


def test_a_resumed_attempt_drops_epochs_it_will_redo(run):
    _, sink = claimed(run)
    sink.on_start(TRAINER_INFO)
    for epoch in (1, 2):
        report_epoch(sink, epoch)
    TrainingRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)  # as recovery does
    _, second = claimed(run)
    second.on_start({**TRAINER_INFO, "start_epoch": 2})  # the checkpoint of epoch 2 was never written
    assert list(EpochMetric.objects.filter(run=run).values_list("epoch", flat=True)) == [1]
    assert list(SampleGrid.objects.filter(run=run).values_list("epoch", flat=True)) == [1]
    run.refresh_from_db()
    assert run.epochs_done == 1 and run.attempts == 2


def test_a_sink_that_lost_its_lease_stops_and_writes_nothing(run):
    _, old = claimed(run)
    old.on_start(TRAINER_INFO)
    TrainingRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)
    claimed(run)  # another worker took the run over
    assert old.should_stop()
    report_epoch(old, 1)
    old.beat()
    assert not EpochMetric.objects.filter(run=run).exists()


def test_cancelling_stops_the_sink_and_keeps_what_was_recorded(run):
    _, sink = claimed(run)
    sink.on_start(TRAINER_INFO)
    assert not sink.should_stop()
    report_epoch(sink, 1)
    assert training.cancel_run(run=run)
    assert sink.should_stop()  # the first poll of the next epoch always reads the database
    report_epoch(sink, 2)  # the epoch it was finishing is still kept
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.finished_at is not None
    assert EpochMetric.objects.filter(run=run).count() == 2
    assert not training.cancel_run(run=run)  # already ended


@pytest.mark.django_db(transaction=True)  # the thread has its own connection: it must see committed rows
def test_the_heartbeat_thread_beats(run):
    _, sink = claimed(run)
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    sink.steps_done = 3
    sink.start_heartbeat(interval=0.05)
    try:
        deadline = timezone.now() + timedelta(seconds=10)
        while timezone.now() < deadline:
            run.refresh_from_db()
            if run.heartbeat_at > timezone.now() - timedelta(minutes=1):
                break
    finally:
        sink.stop_heartbeat()
    assert run.heartbeat_at > timezone.now() - timedelta(minutes=1) and run.steps_done == 3


def test_only_a_queued_run_is_claimed_and_a_second_delivery_does_nothing(run):
    first = run_execution.claim_run(run_id=run.pk, worker="a@host")
    assert first is not None and first.attempts == 1 and first.status == RunStatus.RUNNING
    assert run_execution.claim_run(run_id=run.pk, worker="b@host") is None
    # The task itself on a running (or finished, or deleted) run returns before importing Keras.
    assert run_execution.execute_training_run(run_id=run.pk) == {"run": run.pk, "skipped": "the run is running"}
    assert run_execution.execute_training_run(run_id=10**9)["skipped"] == "no such run (deleted?)"
    run.refresh_from_db()
    assert run.attempts == 1 and run.worker_host.startswith("a@host")


def test_recovery_requeues_a_silent_run_then_gives_up(run, settings, no_broker,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    settings.HANDGEN_RUN_STALE_SECONDS = 60
    settings.HANDGEN_RUN_MAX_RECOVERIES = 1
    claimed(run)
    assert run_recovery.recover_stale_runs() == {"requeued": [], "failed": [], "redispatched": []}  # beating
    silent = timezone.now() - timedelta(seconds=61)
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=silent)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_recovery.recover_stale_runs() == {"requeued": [run.pk], "failed": [], "redispatched": []}
    run.refresh_from_db()
    assert (run.status, run.recoveries, run.heartbeat_at) == (RunStatus.QUEUED, 1, None)
    assert no_broker == [run.pk]  # sent to the queue again
    claimed(run)
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=silent)
    assert run_recovery.recover_stale_runs() == {"requeued": [], "failed": [run.pk], "redispatched": []}
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "worker stopped answering" in run.error_message
    assert "restarted 1 times, the limit" in run.error_message


def test_resume_waits_for_the_worker_and_resets_the_restart_budget(run, no_broker,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    claimed(run)
    training.cancel_run(run=run)
    with pytest.raises(ValidationError, match="still stopping"):
        training.resume_run(run=run)  # its worker still beats: it is finishing an epoch
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=None, recoveries=2)  # the worker let go
    with django_capture_on_commit_callbacks(execute=True):
        resumed = training.resume_run(run=run)
    assert (resumed.status, resumed.finished_at, resumed.recoveries) == (RunStatus.QUEUED, None, 0)
    assert no_broker == [run.pk]
    with pytest.raises(ValidationError, match="Only cancelled or failed runs"):
        training.resume_run(run=run)


def test_delete_removes_the_run_folder_but_never_a_running_run(run, django_capture_on_commit_callbacks):
    folder = run_files.work_folder(run.pk)
    folder.mkdir(parents=True)
    (folder / "checkpoint.npz").write_bytes(b"x")
    claimed(run)
    with pytest.raises(ValidationError, match="cancel it first"):
        training.delete_run(run=run)
    TrainingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now(), heartbeat_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        training.delete_run(run=run)
    assert not TrainingRun.objects.filter(pk=run.pk).exists()
    assert not run_files.run_folder(run.pk).exists()


def test_admin_cancel_asks_first_then_cancels(admin_client, run):
    url = reverse("admin:generator_app_trainingrun_cancel", args=[run.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "Stop these runs?" in page.content.decode()
    assert TrainingRun.objects.get(pk=run.pk).status == RunStatus.QUEUED  # asking changed nothing
    assert admin_client.post(url).status_code == 302
    assert TrainingRun.objects.get(pk=run.pk).status == RunStatus.CANCELLED


def test_list_actions_go_through_a_confirmation_page(admin_client, run):
    changelist = reverse("admin:generator_app_trainingrun_changelist")
    data = {"action": "cancel_selected", "_selected_action": [run.pk]}
    page = admin_client.post(changelist, data)
    assert page.status_code == 200 and 'name="post" value="yes"' in page.content.decode()
    assert TrainingRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    admin_client.post(changelist, {**data, "post": "yes"})
    assert TrainingRun.objects.get(pk=run.pk).status == RunStatus.CANCELLED
    resume = admin_client.post(changelist, {"action": "resume_selected", "_selected_action": [run.pk], "post": "yes"})
    assert resume.status_code == 302 and TrainingRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    clone = admin_client.post(changelist, {"action": "clone_selected", "_selected_action": [run.pk]})
    assert clone.status_code == 302 and clone["Location"].endswith(f"/add/?clone={run.pk}")


def test_the_run_page_shows_progress_and_its_json_feed(admin_client, run):
    _, sink = claimed(run)
    sink.on_start(TRAINER_INFO)
    report_epoch(sink, 1)
    progress = admin_client.get(reverse("admin:generator_app_trainingrun_progress", args=[run.pk])).json()
    assert (progress["status"], progress["epochs_done"], progress["epochs_total"], progress["active"]) == (
        "running", 1, 3, True)  # fmt: skip
    assert progress["images_per_second"] == 100.0 and progress["losses"]["g_loss"] == 2.0
    assert progress["eta_seconds"] == pytest.approx(2 * 0.5)
    assert progress["grid_url"] == reverse("sample_grid_image", args=[SampleGrid.objects.get(run=run).pk])
    html = admin_client.get(reverse("admin:generator_app_trainingrun_change", args=[run.pk])).content.decode()
    assert 'id="run-progress"' in html and 'data-active="1"' in html and "Cancel run" in html
    assert progress["grid_url"] in html


def test_publishing_a_finished_run(run, tmp_path, monkeypatch, settings):
    """The end of a run without training: a .keras file stands in for the export."""
    import zipfile

    claimed_run, _ = claimed(run)
    orphan = Path(settings.MEDIA_ROOT) / "generators" / f"run-{run.pk}-cgan-strong" / "model.keras"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a deleted generator of an earlier database")
    export = tmp_path / "generator"
    export.mkdir()
    with zipfile.ZipFile(export / "model.keras", "w") as archive:
        archive.writestr("handgen.json", '{"charset": {"name": "digits"}}')
    from generator_app.worker import run_publish

    monkeypatch.setattr(run_publish, "final_evaluation", lambda **kw: {"metrics": {"cond_acc": 0.5, "char": "a"}})
    status = run_publish.finish_succeeded_run(
        run=claimed_run, attempt=claimed_run.attempts, summary={"generator": str(export), "last_epoch_metrics": {}}
    )
    assert status == "succeeded"
    generator = GeneratorModel.objects.get(run=run)
    assert (generator.name, generator.charset, generator.is_default) == (f"run-{run.pk}-cgan-strong", "digits", False)
    assert generator.metrics_summary == {"cond_acc": 0.5} and len(generator.weights_sha256) == 64
    assert generator.weights.name == f"generators/run-{run.pk}-cgan-strong/model.keras"
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.final_evaluation["metrics"]["cond_acc"] == 0.5


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_requeues_runs_left_behind(run, settings, no_broker):
    """The worker_ready hook: a worker replacing a dead one picks its run up at once."""
    from generator_app.tasks import recover_stale_runs_at_worker_start

    settings.HANDGEN_RUN_STALE_SECONDS = 60
    claimed(run)
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    recover_stale_runs_at_worker_start()
    run.refresh_from_db()
    assert (run.status, run.recoveries) == (RunStatus.QUEUED, 1)
    assert no_broker == [run.pk, run.pk]  # queued at launch, and again by the hook
