"""With the broker down, nothing is lost and nobody gets a 500: a real Redis, stopped by the test.

The site's Celery app publishes to a redis-server of the test's own; stopping it is what an
outage looks like to the web process (connection refused). A generation request then ends
failed with the broker's own words; a training run stays queued, and once Redis is back
the next recovery pass (beat, or a worker starting) sends it, and the message is in Redis.
"""

import base64
import json

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from private_redis import celery_app_publishing_to
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from generator_app.models import Dataset, GenerationRequest, RunStatus, TrainingRun
from generator_app.services import training
from generator_app.worker import run_recovery

pytestmark = pytest.mark.django_db(transaction=True)  # messages are sent at the commit, as in production


@pytest.fixture
def redis_broker(private_redis):
    """The app publishing to the private Redis; fail fast rather than retry for long while it is down."""
    with celery_app_publishing_to(private_redis.url(), max_retries=1, socket_connect_timeout=2):
        yield private_redis


@pytest.fixture
def dataset():
    return Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")


def queued_train_runs(server):
    """The train_run messages waiting in the real Redis's gpu queue, as their run ids."""
    bodies = [json.loads(raw) for raw in server.client().lrange("gpu", 0, -1)]
    return [json.loads(base64.b64decode(body["body"]))[0][0] for body in bodies]


def test_a_generation_requested_while_redis_is_down_ends_failed_with_the_reason(redis_broker, default_generators,
                                                                                django_user_model):  # fmt: skip
    cache.clear()
    ann = django_user_model.objects.create_user("ann", password="a-long-test-password")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=ann).key}")

    redis_broker.stop()
    response = api.post("/api/generations/", {"text": "12"}, format="json")
    assert response.status_code == 202  # the request itself was fine; the user hears the rest on the next poll
    generation = GenerationRequest.objects.get()
    body = api.get(f"/api/generations/{generation.pk}/").json()
    assert body["status"] == "failed"
    assert body["error_message"].startswith("The request could not be queued (")
    assert f"127.0.0.1:{redis_broker.port}" in body["error_message"] and "refused" in body["error_message"]

    redis_broker.start()  # back: the next request is queued, on the real Redis
    response = api.post("/api/generations/", {"text": "34"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert redis_broker.client().llen("generate") == 1


def test_a_run_saved_while_redis_is_down_stays_queued_and_is_sent_once_it_is_back(redis_broker, dataset,
                                                                                  admin_client, caplog):  # fmt: skip
    redis_broker.stop()
    form = {"name": "tiny", "dataset": dataset.pk, "architecture": "cgan-strong", "queue": "gpu", "epochs": 2,
            "seed": 3, "steps_per_epoch": 2, "batch_size": 8, "log_every": 1, "g_width": 8, "d_width": 8,
            "latent_dim": 8, "eval_images": 0}  # fmt: skip
    response = admin_client.post(reverse("admin:generator_app_trainingrun_add"), form)
    run = TrainingRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/trainingrun/{run.pk}/change/")
    assert (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("task broker could not be reached" in note for note in notes), notes
    assert "could not send train_run" in caplog.text and "refused" in caplog.text  # and the log says why

    # Resuming from the list with Redis still down answers normally too.
    training.cancel_run(run=run)
    changelist = reverse("admin:generator_app_trainingrun_changelist")
    response = admin_client.post(changelist, {"action": "resume_selected", "_selected_action": [run.pk], "post": "yes"})
    run.refresh_from_db()
    assert response.status_code == 302 and (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(f"broker could not be reached for run {run.pk}" in note for note in notes), notes

    assert run_recovery.recover_stale_runs()["redispatched"] == []  # still down: nothing sent, nothing lost
    run.refresh_from_db()
    assert (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)

    redis_broker.start()  # an empty Redis, as after a restart without persistence
    assert run_recovery.recover_stale_runs()["redispatched"] == [run.pk]
    assert queued_train_runs(redis_broker) == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.dispatched_at is not None and run.celery_task_id


def test_a_worker_that_starts_after_the_outage_sends_the_runs_left_unsent(redis_broker, dataset, admin_user,
                                                                          media_root):  # fmt: skip
    from generator_app.tasks import recover_stale_runs_at_worker_start

    redis_broker.stop()
    options = {"epochs": 2, "steps_per_epoch": 2, "batch_size": 8, "log_every": 1, "seed": 3}
    run = training.start_training_run(dataset=dataset, architecture="cgan-strong", options=options, name="unit",
                                      created_by=admin_user)  # fmt: skip
    run.refresh_from_db()
    assert (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)
    redis_broker.start()
    recover_stale_runs_at_worker_start()
    assert queued_train_runs(redis_broker) == [run.pk]
