"""The ping task through real worker processes: on the configured broker (Redis in CI)
and in the embedded default mode (SQLite + filesystem broker, no server at all)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django_celery_results.models import TaskResult

from generator_app import task_queue

ROOT = Path(settings.BASE_DIR)


def round_trip(**options):
    result = task_queue.send_task(task_queue.PING, **options)  # by name, as the web side sends
    answer = result.get(timeout=60)
    assert answer["pong"] is True
    assert answer["pid"] != os.getpid()  # it ran in the worker, not here
    # The worker wrote the result row into this test's database.
    assert TaskResult.objects.get(task_id=result.id).status == "SUCCESS"
    return answer


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ping_round_trip_through_a_real_worker(celery_worker):
    round_trip()
    assert "generator_app.tasks.ping" in celery_worker.logs()


@pytest.mark.slow
@pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set (.ci/run sets it)")
@pytest.mark.django_db(transaction=True)
def test_ping_round_trip_through_a_real_worker_on_redis(celery_worker):
    from handgen_site.celery import app

    assert app.conf.broker_url.startswith("redis://")
    round_trip()
    assert "Connected to redis://" in celery_worker.logs()


@pytest.mark.slow
def test_embedded_default_mode_runs_ping_through_a_real_worker(tmp_path, start_celery_worker):
    """No DATABASE_URL, no REDIS_URL: SQLite file and filesystem broker under HANDGEN_VAR_DIR."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "HANDGEN_BROKER_DIR"}
    }
    env["HANDGEN_VAR_DIR"] = str(tmp_path / "var")

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    migrated = manage("migrate", "django_celery_results", "--noinput")  # the result table is all ping needs
    assert migrated.returncode == 0, migrated.stderr
    worker = start_celery_worker(env=env)
    assert "Connected to filesystem://" in worker.logs()
    answer = manage("ping_worker", "--timeout", "60")
    assert answer.returncode == 0, answer.stderr + worker.logs()[-3000:]
    assert "pong from" in answer.stdout
    assert (tmp_path / "var" / "db.sqlite3").is_file()
    assert (tmp_path / "var" / "broker" / "queue").is_dir()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_can_be_replaced(start_celery_worker):
    queue = f"test-{uuid.uuid4().hex[:8]}"  # only the workers of this test listen here
    first = start_celery_worker(queues=queue)
    first.kill()
    assert not first.alive
    second = start_celery_worker(queues=queue)
    round_trip(queue=queue)
    assert "generator_app.tasks.ping" in second.logs()
