"""With Redis, messages a killed worker held come back after the visibility timeout, and a
message handed out again while its task still runs does no harm (settings.py explains the
choice of timeout). Real workers on a redis-server of the test's own, with the timeout cut
to seconds so the test sees in seconds what production sees in minutes.
"""

import json
import time

import pytest
from private_redis import celery_app_publishing_to

from generator_app.models import Dataset, GenerationRequest, GenerationStatus, RunStatus, TrainingRun
from generator_app.services import training
from generator_app.services.generation import STOPPED_MESSAGE, enqueue_generation

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 3  # seconds, here; production's default is 420 (the short tasks' hard limit + 60)
TIMEOUT = 300  # a worker's first request imports TensorFlow: minutes on a busy CPU


def wait_for(predicate, *, what, workers=(), timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n" + "\n".join(w.logs()[-3000:] for w in workers))


@pytest.fixture
def redis_env(private_redis, celery_worker_env):
    """Workers (and this process's publishes) on the private Redis, with a visibility timeout of seconds."""
    env = {**celery_worker_env, "REDIS_URL": private_redis.url(),
           "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "CELERY_UNACKED_RESTORE_INTERVAL": "1"}  # fmt: skip
    with celery_app_publishing_to(private_redis.url()):
        yield env


def waiting(redis, queue):
    """Names of the tasks waiting in a Redis queue."""
    return [json.loads(raw)["headers"]["task"] for raw in redis.lrange(queue, 0, -1)]


def status(generation):
    return GenerationRequest.objects.get(pk=generation.pk).status


def test_requests_a_killed_generation_worker_held_come_back_to_the_next_worker(
    redis_env, private_redis, start_celery_worker, default_generators, django_user_model
):
    ann = django_user_model.objects.create_user("ann", password="a-long-test-password")
    claimed = GenerationRequest.objects.create(user=ann, text="Hi 7", style_seed=1)
    reserved = GenerationRequest.objects.create(user=ann, text="Hi 8", style_seed=2)
    for generation in (claimed, reserved):
        enqueue_generation(generation_id=generation.pk)
    # One process, two messages: it claims the first (then loads TensorFlow) and holds the second.
    first = start_celery_worker(env=redis_env, queues="generate", concurrency=1,
                                extra_args=["--prefetch-multiplier", "2"])  # fmt: skip
    redis = private_redis.client()
    wait_for(lambda: status(claimed) == GenerationStatus.RUNNING and redis.hlen("unacked") == 2,
             what="the first request claimed, both messages taken", workers=[first])  # fmt: skip
    assert status(reserved) == GenerationStatus.PENDING
    first.kill()  # SIGKILL: no acknowledgement, no warm shutdown handing the messages back
    assert redis.hlen("unacked") == 2  # nothing came back by itself (only the worker's warm-up waits)
    assert "generator_app.tasks.generate_text" not in waiting(redis, "generate")

    second = start_celery_worker(env=redis_env, queues="generate", concurrency=1)
    ready = time.monotonic()
    # The one it had claimed was being drawn when its worker died: drawing it again could crash
    # the next worker the same way, so it ends failed with that reason, at once.
    wait_for(lambda: status(claimed) == GenerationStatus.FAILED, what="the claimed request ended", workers=[second])
    assert time.monotonic() - ready < VISIBILITY_TIMEOUT + 30
    assert GenerationRequest.objects.get(pk=claimed.pk).error_message == STOPPED_MESSAGE
    # The one it had only reserved is drawn.
    wait_for(lambda: status(reserved) == GenerationStatus.SUCCEEDED, what="the reserved request drawn",
             workers=[second])  # fmt: skip


def test_a_training_outliving_the_visibility_timeout_is_handed_out_again_and_that_delivery_does_nothing(
    redis_env, start_celery_worker, admin_user
):
    workers = [start_celery_worker(env=redis_env, queues="gpu", concurrency=1) for _ in range(2)]
    dataset = Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")
    # Long enough (TensorFlow's import, then 6 epochs) to outlive a timeout of 3 s several times.
    options = {"epochs": 6, "steps_per_epoch": 3, "batch_size": 8, "log_every": 3, "seed": 3, "g_width": 8,
               "d_width": 8, "latent_dim": 8, "grid_per_class": 1, "eval_images": 0}  # fmt: skip
    run = training.start_training_run(dataset=dataset, architecture="cgan-strong", options=options, name="long",
                                      created_by=admin_user)  # fmt: skip

    def logs():
        return "".join(worker.logs() for worker in workers)

    def finished():
        return TrainingRun.objects.get(pk=run.pk).status not in (RunStatus.QUEUED, RunStatus.RUNNING)

    wait_for(finished, what="the run to finish", workers=workers)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.attempts == 1 and run.epochs_done == 6  # trained once, by one worker, to the end
    # The message went out twice: once to the trainer, once more while the run trained, and that
    # second delivery found the run running and left it alone.
    assert logs().count(f"train_run[{run.celery_task_id}] received") >= 2, logs()[-4000:]
    assert logs().count(f"train_run({run.pk}): nothing to do, the run is running") >= 1, logs()[-4000:]


def test_the_default_timeout_sits_just_above_the_short_tasks_hard_limits(celery_worker_env):
    """The production figure the tests above shrink: minutes, not the day training lasts."""
    import subprocess
    import sys

    from django.conf import settings

    code = ("import json; from django.conf import settings as s; print(json.dumps([s.CELERY_BROKER_TRANSPORT_OPTIONS, "
            "s.HANDGEN_GENERATION_TIME_LIMIT, s.CELERY_TASK_TIME_LIMIT, s.HANDGEN_TRAINING_TIME_LIMIT]))")  # fmt: skip
    env = {k: v for k, v in celery_worker_env.items() if not k.startswith(("CELERY_", "HANDGEN_GENERATION_"))}
    env.update(REDIS_URL="redis://127.0.0.1:1/0", DJANGO_SETTINGS_MODULE="handgen_site.settings")
    done = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=settings.BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    options, generation_limit, task_limit, training_limit = json.loads(done.stdout.strip().splitlines()[-1])
    assert options["visibility_timeout"] == max(generation_limit, task_limit) + 60 == 420
    assert options["visibility_timeout"] < training_limit  # why a training's second delivery must be a no-op
    assert options["unacked_restore_interval"] == 10 and options["unacked_restore_throttle"] == 1
