"""Time from "Save" on the admin's New training run form to the run's first epoch metric.

A real training worker (``celery worker -Q gpu --concurrency 1 --max-tasks-per-child 1``,
as start.sh runs it) is started and waited for first; then, for each repetition, the
admin form is posted for a tiny run (fixture data, 2 steps of 8 images, 8-channel
cgan-strong) and the phases are timed from the database:

- queue: Save -> the worker claims the run (``started_at``)
- start-up: claim -> the trainer's ``on_start`` (importing Keras/TensorFlow in the fresh
  child, data, model build)
- first epoch: ``on_start`` -> the first EpochMetric row (mostly compiling the step)

Uses a throw-away test database of the configured kind and the configured broker
(filesystem by default; Redis when REDIS_URL is set)::

    .venv/bin/python benchmarks/run_launch_latency.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.machine import database_url  # noqa: E402

FORM = {"name": "latency", "architecture": "cgan-strong", "queue": "gpu", "epochs": 2, "seed": 1,
        "steps_per_epoch": 2, "batch_size": 8, "log_every": 1, "g_width": 8, "d_width": 8, "latent_dim": 8,
        "grid_per_class": 2, "eval_images": 0}  # fmt: skip


def start_worker(database_url, log_path):
    env = {**os.environ, "DATABASE_URL": database_url}
    log = open(log_path, "wb")  # noqa: SIM115  (the worker keeps writing to it)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "handgen_site", "worker", "-Q", "gpu", "-n", "bench-latency@%h",
         "--concurrency", "1", "--max-tasks-per-child", "1", "--without-gossip", "--without-mingle",
         "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if " ready." in Path(log_path).read_text(errors="replace"):
            return process
        if process.poll() is not None:
            raise RuntimeError(Path(log_path).read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    raise TimeoutError("worker not ready")


def purge_gpu_queue():
    """Drop training messages left by an interrupted earlier benchmark (not for production brokers)."""
    from handgen_site.celery import app

    with app.connection_for_write() as conn:
        app.amqp.queues["gpu"].bind(conn.default_channel).purge()


def wait(predicate, timeout=900):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="handgen-latency-bench-"))
    os.environ.setdefault("HANDGEN_VAR_DIR", str(scratch))
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handgen_site.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's "testserver" host in

    if connection.vendor == "postgresql":  # not pytest's test database: both may run at once
        connection.settings_dict["TEST"]["NAME"] = "handgen_bench_latency"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    purge_gpu_queue()
    worker = start_worker(database_url(connection.settings_dict), scratch / "worker.log")
    try:
        measure(args, connection)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        connection.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def measure(args, connection):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from generator_app.models import Dataset

    admin = get_user_model().objects.create_superuser("bench", password="bench-password-123")
    dataset = Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")
    client = Client()
    client.force_login(admin)
    print(f"hardware: {os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), "
          f"load average {os.getloadavg()[0]:.1f}; database: {connection.vendor}; "
          f"broker: {'redis' if os.environ.get('REDIS_URL') else 'filesystem'}")
    for attempt in range(1, args.repeat + 1):
        total, queue, startup, first_epoch = launch_once(client, dataset)
        print(f"run {attempt}: Save -> first epoch metric {total:6.1f} s  (queue {queue:.1f} s, "
              f"start-up {startup:.1f} s, first epoch {first_epoch:.1f} s)", flush=True)


def launch_once(client, dataset):
    """Post the form once; return (Save->first metric, queue, start-up, first epoch) in seconds."""
    from django.urls import reverse
    from django.utils import timezone

    from generator_app.models import EpochMetric, TrainingRun

    saved_wall, saved = timezone.now(), time.monotonic()
    response = client.post(reverse("admin:generator_app_trainingrun_add"), {**FORM, "dataset": dataset.pk})
    assert response.status_code == 302, response.content[-2000:]
    run = TrainingRun.objects.filter(pk=int(response["Location"].rstrip("/").split("/")[-2]))
    started = wait(lambda: run.values_list("started_at", flat=True).first())
    on_start = wait(lambda: run.filter(steps_total__gt=0).exists() and time.monotonic())
    first = wait(lambda: EpochMetric.objects.filter(run__in=run).exists() and time.monotonic())
    wait(lambda: run.filter(finished_at__isnull=False).exists())
    queue = (started - saved_wall).total_seconds()
    return first - saved, queue, on_start - saved - queue, first - on_start

if __name__ == "__main__":
    main()
