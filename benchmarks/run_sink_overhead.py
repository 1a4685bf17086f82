"""What the database sink costs the trainer per epoch (generator_app/worker/run_sink.py).

Drives ``DatabaseSink`` exactly as ``ml.train.loop`` does: per epoch, ``steps/log_every``
``on_steps`` + ``should_stop`` calls, then ``on_epoch`` with a real-sized sample grid PNG
(one transaction: EpochMetric row, SampleGrid file and row, run progress). No Keras: the
figure is the sink alone, on a throw-away test database of the configured kind (SQLite by
default, PostgreSQL when DATABASE_URL is set)::

    .venv/bin/python benchmarks/run_sink_overhead.py [--epochs 50] [--steps 938] [--log-every 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/run_sink_overhead.py

938 steps is one MNIST epoch at batch 64; log_every 50 is the trainer's default.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def grid_bytes(classes=10, per_class=8, seed=0):
    """A grid PNG like the trainer's: 80 glyph-like 28x28 images (strokes, not noise)."""

    from ml.data.fixture import make_fixture
    from ml.train.grid import grid_png

    images = make_fixture(classes * per_class, seed=seed).images
    return grid_png(images, rows=classes)


def setup_database():
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":  # not pytest's test database: both may run at once
        connection.settings_dict["TEST"]["NAME"] = "handgen_bench_sink"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return connection


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--steps", type=int, default=938)
    parser.add_argument("--log-every", type=int, default=50)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handgen_site.settings")
    scratch = tempfile.mkdtemp(prefix="handgen-sink-bench-")
    os.environ.setdefault("HANDGEN_VAR_DIR", scratch)
    os.environ["MEDIA_ROOT"] = str(Path(scratch) / "media")
    connection = setup_database()
    try:
        run_benchmark(args, connection)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def run_benchmark(args, connection):
    from generator_app.models import Dataset
    from generator_app.services import training
    from generator_app.worker import run_execution
    from generator_app.worker.run_sink import DatabaseSink

    training.enqueue_training_run = lambda run: None  # no broker: the sink is what is measured
    dataset = Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")
    run = training.start_training_run(
        dataset=dataset, architecture="cgan-strong",
        options={"epochs": args.epochs, "steps_per_epoch": args.steps, "log_every": args.log_every},
    )  # fmt: skip
    run = run_execution.claim_run(run_id=run.pk, worker="bench")
    sink = DatabaseSink(run_id=run.pk, attempt=run.attempts)
    png = grid_bytes()
    info = {"start_epoch": 1, "epochs": args.epochs, "steps_per_epoch": args.steps, "versions": {},
            "git_commit": "bench", "backend": "none", "device": "none"}  # fmt: skip
    sink.on_start(info)
    step_metrics = {"d_loss": 0.7, "g_loss": 0.8, "d_acc_real": 0.5, "d_acc_fake": 0.5, "g_grad_mean": 0.01,
                    "g_grad_std": 0.02, "d_aux_loss": 2.3, "g_aux_loss": 2.3}  # fmt: skip
    per_epoch, step_calls, stop_calls, epoch_writes, epoch_cpu = [], [], [], [], []
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        for step in range(args.log_every, args.steps + 1, args.log_every):
            t0 = time.perf_counter()
            sink.on_steps(epoch, step, (epoch - 1) * args.steps + step, step_metrics)
            t1 = time.perf_counter()
            sink.should_stop()
            t2 = time.perf_counter()
            step_calls.append(t1 - t0)
            stop_calls.append(t2 - t1)
        t0, c0 = time.perf_counter(), time.process_time()
        sink.on_epoch(epoch, {**step_metrics, "images_per_second": 900.0, "epoch_seconds": 60.0}, png)
        epoch_writes.append(time.perf_counter() - t0)
        epoch_cpu.append(time.process_time() - c0)
        per_epoch.append(time.perf_counter() - started)
    beats = []
    for _ in range(50):
        t0 = time.perf_counter()
        sink.beat()
        beats.append(time.perf_counter() - t0)

    def ms(values, q=None):
        if q is None:
            return statistics.median(values) * 1000
        return sorted(values)[int(q * (len(values) - 1))] * 1000

    print(f"hardware: {os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), "
          f"load average {os.getloadavg()[0]:.1f}; database: {connection.vendor}; grid PNG {len(png)} bytes")
    print(f"{args.epochs} epochs of {args.steps} steps, reports every {args.log_every} steps "
          f"({len(step_calls) // args.epochs} on_steps + should_stop per epoch)")
    print(f"sink per epoch, all calls:        median {ms(per_epoch):7.2f} ms   p95 {ms(per_epoch, 0.95):7.2f} ms")
    print(f"  on_epoch (one transaction):     median {ms(epoch_writes):7.2f} ms   p95 {ms(epoch_writes, 0.95):7.2f} ms"
          f"   (CPU time of this process: median {ms(epoch_cpu):.2f} ms)")
    print(f"  on_steps (buffer only):         median {ms(step_calls) * 1000:7.1f} us")
    print(f"  should_stop (throttled read):   median {ms(stop_calls) * 1000:7.1f} us   "
          f"p95 {ms(stop_calls, 0.95) * 1000:7.1f} us")
    print(f"heartbeat write (its own thread, every 10 s by default): median {ms(beats):.2f} ms")


if __name__ == "__main__":
    main()
