"""Queued runs whose train_run message was lost are sent again, once per period, never on every pass.

The broker is replaced by a recorder on ``train_run.apply_async`` (what would have been sent,
and a switch that makes it refuse like a Redis that is down), so these tests say exactly
which message went out and need no worker.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from generator_app.models import Dataset, RunStatus, TrainingRun
from generator_app.services import run_execution, run_recovery, training

PERIOD = 600
REFUSED = "Error 111 connecting to 127.0.0.1:6379. Connection refused."  # what kombu says when Redis is down


@pytest.fixture
def broker(monkeypatch):
    """Records every train_run message; set ``broker.down = True`` and each send raises REFUSED."""
    from generator_app import tasks

    state = SimpleNamespace(sent=[], down=False)

    def apply_async(*args, **kwargs):
        if state.down:
            raise OperationalError(REFUSED)
        state.sent.append(kwargs)
        return SimpleNamespace(id=f"task-{len(state.sent)}")

    monkeypatch.setattr(tasks.train_run, "apply_async", apply_async)
    return state


@pytest.fixture(autouse=True)
def period(settings):
    settings.HANDGEN_RUN_REDISPATCH_SECONDS = PERIOD
    settings.HANDGEN_RUN_STALE_SECONDS = 120


@pytest.fixture
def dataset(db):
    return Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")


@pytest.fixture
def start(dataset, admin_user, media_root, django_capture_on_commit_callbacks):
    def start_run(name="unit"):
        options = {"epochs": 3, "steps_per_epoch": 4, "batch_size": 8, "log_every": 2, "seed": 3}
        with django_capture_on_commit_callbacks(execute=True):
            return training.start_training_run(dataset=dataset, architecture="cgan-strong", options=options,
                                               name=name, created_by=admin_user)  # fmt: skip

    return start_run


def recover(after_seconds, since):
    """One recovery pass ``after_seconds`` after ``since`` (what beat would run then)."""
    return run_recovery.recover_stale_runs(now=since + timedelta(seconds=after_seconds))


def test_a_queued_run_is_sent_again_once_per_period(start, broker):
    run = start()
    assert broker.sent == [{"args": [run.pk], "queue": "gpu"}]
    run.refresh_from_db()
    first_sent = run.dispatched_at
    assert first_sent is not None and run.celery_task_id == "task-1"

    assert recover(PERIOD - 5, first_sent)["redispatched"] == []  # sent recently: the message may still be there
    assert len(broker.sent) == 1
    report = recover(PERIOD + 5, first_sent)
    assert report == {"requeued": [], "failed": [], "redispatched": [run.pk]}
    assert broker.sent[1] == {"args": [run.pk], "queue": "gpu"}
    run.refresh_from_db()
    assert run.dispatched_at == first_sent + timedelta(seconds=PERIOD + 5) and run.celery_task_id == "task-2"
    # The next beat ticks (every minute) add nothing: one extra message per period, no pile-up.
    for minutes in range(1, 10):
        assert recover(PERIOD + 5 + 60 * minutes, first_sent)["redispatched"] == []
    assert len(broker.sent) == 2
    assert recover(2 * PERIOD + 10, first_sent)["redispatched"] == [run.pk]
    assert len(broker.sent) == 3


def test_runs_that_are_running_or_ended_are_never_sent_again(start, broker):
    running, succeeded, cancelled, waiting = (start(name) for name in ("running", "succeeded", "cancelled", "waiting"))
    run_execution.claim_run(run_id=running.pk, worker="a@host")
    run_execution.claim_run(run_id=succeeded.pk, worker="b@host")
    later = timezone.now() + timedelta(seconds=PERIOD + 5)
    TrainingRun.objects.filter(pk=succeeded.pk).update(status=RunStatus.SUCCEEDED, finished_at=later)
    training.cancel_run(run=cancelled)
    TrainingRun.objects.filter(pk=running.pk).update(heartbeat_at=later)  # still beating: not stale either
    broker.sent.clear()
    report = run_recovery.recover_stale_runs(now=later)
    assert report == {"requeued": [], "failed": [], "redispatched": [waiting.pk]}
    assert broker.sent == [{"args": [waiting.pk], "queue": "gpu"}]


def test_a_run_requeued_by_recovery_waits_a_full_period_before_a_second_message(start, broker,
                                                                                django_capture_on_commit_callbacks):  # fmt: skip
    run = start()
    run_execution.claim_run(run_id=run.pk, worker="a@host")
    silent = timezone.now() + timedelta(seconds=200)  # no heartbeat for 200 s > 120 s
    with django_capture_on_commit_callbacks(execute=True):
        assert recover(0, silent) == {"requeued": [run.pk], "failed": [], "redispatched": []}
    assert len(broker.sent) == 2  # at launch, and once by the recovery: not twice in one pass
    assert recover(60, silent)["redispatched"] == []
    assert recover(PERIOD + 1, silent)["redispatched"] == [run.pk]


def test_a_refused_send_keeps_the_run_queued_and_the_next_pass_sends_it(start, broker, caplog):
    broker.down = True
    run = start()  # no exception: the caller (a Save, an action) answers normally
    run.refresh_from_db()
    assert (run.status, run.dispatched_at, run.celery_task_id) == (RunStatus.QUEUED, None, "")
    assert "could not send train_run" in caplog.text and "Connection refused" in caplog.text
    assert recover(1, timezone.now())["redispatched"] == []  # still down: nothing sent, nothing lost
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.dispatched_at is None
    broker.down = False
    assert recover(60, timezone.now())["redispatched"] == [run.pk]  # the next tick, not a period later
    assert broker.sent == [{"args": [run.pk], "queue": "gpu"}]
    run.refresh_from_db()
    assert run.dispatched_at is not None and run.celery_task_id == "task-1"


@pytest.mark.django_db(transaction=True)  # the send runs at the commit, inside the request, as in production
def test_the_admin_save_with_the_broker_down_answers_normally(admin_client, dataset, broker):
    broker.down = True
    data = {"name": "tiny", "dataset": dataset.pk, "architecture": "cgan-strong", "queue": "gpu", "epochs": 2,
            "seed": 3, "steps_per_epoch": 2, "batch_size": 8, "log_every": 1, "g_width": 8, "d_width": 8,
            "latent_dim": 8, "eval_images": 0}  # fmt: skip
    response = admin_client.post(reverse("admin:generator_app_trainingrun_add"), data)
    run = TrainingRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/trainingrun/{run.pk}/change/")
    assert (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("task broker could not be reached" in note for note in notes), notes

    # Resuming from the list with the broker still down: a normal answer too.
    training.cancel_run(run=run)
    changelist = reverse("admin:generator_app_trainingrun_changelist")
    response = admin_client.post(changelist, {"action": "resume_selected", "_selected_action": [run.pk], "post": "yes"})
    run.refresh_from_db()
    assert response.status_code == 302 and (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(f"broker could not be reached for run {run.pk}" in note for note in notes), notes

    broker.down = False
    assert run_recovery.recover_stale_runs()["redispatched"] == [run.pk]
    assert broker.sent == [{"args": [run.pk], "queue": "gpu"}]


@pytest.mark.django_db(transaction=True)  # the hook closes the connections, as it must in a worker
def test_the_worker_start_hook_sends_runs_left_unsent(start, broker):
    from generator_app.tasks import recover_stale_runs_at_worker_start

    broker.down = True
    run = start()
    broker.down = False
    recover_stale_runs_at_worker_start()
    assert broker.sent == [{"args": [run.pk], "queue": "gpu"}]
