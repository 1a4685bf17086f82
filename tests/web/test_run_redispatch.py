"""Queued runs whose train_run message was lost are sent again, once per period, never on every pass.

The broker is replaced by a recorder of the messages sent (``sent_tasks``), so these tests say exactly
which message went out and need no worker. What happens while the broker is down is tested
against a real Redis that the test stops (test_broker_outage.py).
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from generator_app.models import Dataset, RunStatus, TrainingRun
from generator_app.services import training
from generator_app.worker import run_execution, run_recovery

PERIOD = 600


@pytest.fixture
def broker(sent_tasks):
    """Records every train_run message."""
    from generator_app import task_queue

    return SimpleNamespace(sent=sent_tasks[task_queue.TRAIN_RUN])


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
