"""Fixtures for the web tests, including a real Celery worker process.

A test that needs background work asks for ``celery_worker`` and marks itself
``@pytest.mark.django_db(transaction=True)``: the worker is a separate process, so it
only sees rows the test has committed. It runs against pytest-django's test database
and the broker the settings name (Redis when REDIS_URL is set, otherwise the
filesystem broker under var/test/broker). Tests that kill or restart a worker start
their own with ``start_celery_worker``.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

PROJECT_ROOT = Path(settings.BASE_DIR)
WORKER_START_TIMEOUT = 90  # seconds; generous because the CPU is shared with training jobs


def database_url(settings_dict):
    """A DATABASE_URL naming the database of ``settings_dict`` (e.g. pytest's test database)."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if engine.endswith("postgresql"):
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{auth}{settings_dict.get('HOST') or ''}{port}/{settings_dict['NAME']}"
    raise NotImplementedError(f"no DATABASE_URL form for {engine}")


def _die_with_the_test_process():
    """Runs in the worker before exec: Linux sends it SIGTERM if pytest dies without its
    teardown (killed by a timeout), so no orphan worker steals a later run's tasks."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class WorkerProcess:
    """A `celery worker` subprocess in its own process group, logging to a file."""

    def __init__(self, *, env, log_path, queues="default,gpu,generate", concurrency=1, extra_args=()):
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        self.env = env
        self.log_path = Path(log_path)
        self.args = [
            sys.executable, "-m", "celery", "-A", "handgen_site", "worker",
            "-Q", queues, "-n", self.name, "--concurrency", str(concurrency),
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
            *extra_args,
        ]  # fmt: skip
        self.process = None

    def start(self, timeout=WORKER_START_TIMEOUT):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115  (the child keeps writing to it)
        self.process = subprocess.Popen(
            self.args, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_the_test_process,
        )  # fmt: skip
        log.close()
        ready_line = self.name.split("@")[0] + "@"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.logs()
            if ready_line in text and " ready." in text:
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.process.returncode}:\n{text[-4000:]}")
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"celery worker not ready after {timeout}s:\n{self.logs()[-4000:]}")

    def logs(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    def _signal_group(self, sig):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def kill(self):
        """SIGKILL the worker and its pool children at once (a crashed host)."""
        if self.process is not None:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout=15):
        """Warm shutdown; SIGKILL whatever is left after ``timeout`` seconds."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        self._signal_group(signal.SIGKILL)  # pool children left behind, if any
        if self.process.poll() is None:
            self.process.wait(timeout=10)


def purge_broker_queues():
    """Drop messages left in the test broker by an interrupted earlier run.

    The test suite owns the broker it is pointed at: never point tests at a
    production broker.
    """
    from handgen_site.celery import app

    with app.connection_for_write() as conn:
        for queue in app.amqp.queues.values():
            queue.bind(conn.default_channel).purge()


@pytest.fixture(scope="session")
def celery_worker_env(django_db_setup, django_db_blocker):
    """Environment for a worker process: the test database, the configured broker."""
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url(connection.settings_dict)
    return env


@pytest.fixture
def start_celery_worker(celery_worker_env, tmp_path):
    """Factory: start a private worker (killed at the end of the test)."""
    workers = []

    def start(**options):
        log_path = tmp_path / f"worker-{len(workers)}.log"
        worker = WorkerProcess(env=options.pop("env", celery_worker_env), log_path=log_path, **options)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture(scope="session")
def _session_celery_worker(celery_worker_env, tmp_path_factory):
    purge_broker_queues()
    worker = WorkerProcess(env=celery_worker_env, log_path=tmp_path_factory.mktemp("celery") / "worker.log")
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(transactional_db, _session_celery_worker):
    """A running worker shared by the session (restarted if a test stopped it)."""
    if not _session_celery_worker.alive:
        _session_celery_worker.start()
    return _session_celery_worker


@pytest.fixture
def sent_tasks(monkeypatch):
    """Every task message the web side sends, by task name: ``{"args": [...], **options}`` each.
    Nothing reaches the broker; each send answers with a task id ``task-N``."""
    from generator_app import task_queue

    sent = defaultdict(list)

    def send_task(name, *args, **options):
        sent[name].append({"args": list(args), **options})
        return SimpleNamespace(id=f"task-{sum(len(messages) for messages in sent.values())}")

    monkeypatch.setattr(task_queue, "send_task", send_task)
    return sent


@pytest.fixture(autouse=True)
def _fresh_request_rates():
    """Every throttle counter starts from zero in each test.

    Without Redis the per-user rate is counted per process; with Redis every counter
    (anonymous 401s included) lives in the shared cache for its whole window, so one
    test's requests would throttle the next. Clearing the Redis cache is safe because
    the settings put it on its own database, never the broker's (checked here, so a
    REDIS_CACHE_URL pointed at the broker cannot flush queued tasks). The database
    cache is left alone: its table lives in the test database, and touching it would
    need database access that not every test has.
    """
    from django.core.cache import caches

    for alias in ("default", "request_rates"):
        config = settings.CACHES[alias]
        if config["BACKEND"].endswith("DatabaseCache"):
            continue
        if config.get("LOCATION") and config["LOCATION"] == getattr(settings, "CELERY_BROKER_URL", None):
            raise RuntimeError(f"cache {alias!r} shares the broker's Redis database; set REDIS_CACHE_URL")
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Password hashing is deliberately slow; tests only need it to work."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_root(settings, tmp_path):
    """Files saved by a test land in a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_bytes(size=(8, 8), colour=0):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def sample_objects(db, media_root, django_user_model):
    """One saved row of every model, files included, as a dict by model name."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from generator_app.models import (
        Dataset,
        EpochMetric,
        GenerationRequest,
        GenerationStatus,
        GeneratorModel,
        RunStatus,
        SampleGrid,
        TrainingRun,
    )

    user = django_user_model.objects.create_user("writer", password="a-long-test-password")
    dataset = Dataset.objects.create(
        name="mnist", kind="digits", charset="digits", storage_path="shared/datasets/mnist",
        split_counts={"train": 60000, "test": 10000}, class_histogram={"test": {"0": 980}},
    )  # fmt: skip
    now = timezone.now()
    run = TrainingRun.objects.create(
        name="baseline", architecture="cgan-strong", epochs_total=3, epochs_done=2, status=RunStatus.RUNNING,
        started_at=now, heartbeat_at=now, created_by=user, hyperparameters={"epochs": 3},
    )  # fmt: skip
    run.datasets.add(dataset)
    metric = EpochMetric.objects.create(run=run, epoch=1, step=100, losses={"d_loss": 0.69, "g_loss": 0.71})
    grid = SampleGrid(run=run, epoch=1)
    grid.image.save("grid.png", ContentFile(png_bytes()), save=True)
    generator = GeneratorModel(
        name="digits-v1", charset="digits", architecture="cgan-strong", is_default=True
    )
    generator.weights.save("generator.keras", ContentFile(b"weights"), save=True)
    generation = GenerationRequest.objects.create(
        user=user, text="hello 2026", style_seed=7, status=GenerationStatus.FAILED, error_message="no generator",
        finished_at=now,
    )  # fmt: skip
    return {
        "user": user, "dataset": dataset, "run": run, "metric": metric, "grid": grid,
        "generator": generator, "generation": generation,
    }  # fmt: skip


# --- Generators for generation tests -------------------------------------------------------------
def _tiny_generator_key():
    """Changes whenever code that shapes the exported files changes (so a cached copy is never stale)."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(version("keras").encode())
    paths = sorted((PROJECT_ROOT / "ml/models").glob("*.py")) + [
        PROJECT_ROOT / name
        for name in (
            "ml/data/charset.py", "ml/data/fixture.py", "ml/data/arrays.py", "ml/train/config.py", "ml/train/schema.py",
            "ml/train/export.py", "ml/train/gan.py", "ml/generator.py", "tests/web/tiny_generators.py",
        )
    ]  # fmt: skip
    for path in paths:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def tiny_generator_files():
    """{charset: model.keras path} of tiny digits and letters-cased generators.

    Built in a subprocess (tests/web/tiny_generators.py) so this process never imports
    TensorFlow, at most once per session, and kept under var/test/cache keyed by the code
    that shapes them: on a busy 2-core machine the build takes from 20 s to minutes.
    """
    import json

    out = Path(settings.VAR_DIR) / "cache" / "tiny-generators" / _tiny_generator_key()
    index = out / "paths.json"
    if index.exists():
        paths = json.loads(index.read_text())
        if all(Path(p).exists() for p in paths.values()):
            return paths
    result = subprocess.run(
        [sys.executable, "-m", "tests.web.tiny_generators", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    paths = json.loads(result.stdout.strip().splitlines()[-1])
    index.write_text(json.dumps(paths))
    return paths


@pytest.fixture
def default_generators(db, settings, tiny_generator_files):
    """The tiny generators registered as the defaults for digits and letters-cased."""
    import shutil

    from generator_app.models import GeneratorModel
    from generator_app.services.pretrained import file_sha256

    created = {}
    for charset, source in sorted(tiny_generator_files.items()):
        name = f"tiny-{charset}"
        relative = f"generators/{name}/model.keras"
        target = Path(settings.MEDIA_ROOT) / relative
        if not target.exists() or file_sha256(target) != file_sha256(source):  # files outlive the test DB
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        generator = GeneratorModel(
            name=name, charset=charset, architecture="cgan-strong", weights_sha256=file_sha256(target),
            is_default=True,
        )  # fmt: skip
        generator.weights.name = relative
        generator.full_clean()
        generator.save()
        created[charset] = generator
    return created


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own (tests/web/private_redis.py), stopped at the end."""
    import shutil

    from private_redis import PrivateRedis

    if shutil.which("redis-server") is None:
        reason = "redis-server is not installed (Debian's redis-server package has it)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; CI must run the broker-outage tests")  # as tests/conftest.py does for browser
        pytest.skip(reason)
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()
