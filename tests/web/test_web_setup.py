"""Migrations, settings and the production checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ROOT = Path(settings.BASE_DIR)


def run_manage(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.django_db
def test_database_follows_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    if url and expected == "sqlite" and not url.startswith("sqlite"):
        pytest.skip(f"unexpected DATABASE_URL scheme in {url!r}")
    assert connection.vendor == expected


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_migrations_apply_backwards_and_forwards():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []  # all applied
    call_command("migrate", "generator_app", "zero", verbosity=0)
    assert "generator_app_trainingrun" not in connection.introspection.table_names()
    call_command("migrate", "generator_app", verbosity=0)
    assert "generator_app_trainingrun" in connection.introspection.table_names()


def test_production_settings_pass_the_deploy_check():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x7" * 30 + "production-secret-key-for-the-test",
           "ALLOWED_HOSTS": "handgen.example.com", "CSRF_TRUSTED_ORIGINS": "https://handgen.example.com",
           "SECURE_HSTS_PRELOAD": "1"}  # fmt: skip
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    result = run_manage("check", env={**env, "DEBUG": "0", "ALLOWED_HOSTS": "h"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_celery_settings_promise_at_least_once_delivery():
    from handgen_site.celery import app

    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert {queue.name for queue in conf.task_queues} == {"default", "gpu", "generate"}
    assert app.amqp.router.route({}, "generator_app.tasks.train_run")["queue"].name == "gpu"
    assert app.amqp.router.route({}, "generator_app.tasks.generate_text")["queue"].name == "generate"
    assert app.amqp.router.route({}, "generator_app.tasks.ping")["queue"].name == "default"


def test_every_task_the_web_side_names_is_registered_by_the_worker():
    from generator_app import task_queue, tasks
    from handgen_site.celery import app

    named = {value for key, value in vars(task_queue).items() if key.isupper()}
    registered = {name for name in app.tasks if name.startswith("generator_app.")}
    assert named == registered
    assert tasks.train_run.acks_late and tasks.train_run.time_limit == settings.HANDGEN_TRAINING_TIME_LIMIT
