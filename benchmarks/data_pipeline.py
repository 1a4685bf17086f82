"""Batches per second of the training input pipeline (ml.data.pipeline.BatchStream) and its memory.

Measures batch 128 on the real EMNIST letters pool's train split (the fixture set when the
real data is absent), with plain shuffling and with class-balanced sampling, over whole
epochs, then compares the images per second with what the trainer consumes on this CPU,
to show the pipeline is never the bottleneck. Peak memory is measured with tracemalloc
(Python and NumPy allocations while batches are produced) and getrusage (process maximum).

    .venv/bin/python benchmarks/data_pipeline.py [--epochs 2] [--batch 128]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import cpu_model  # noqa: E402
from ml.data.pipeline import BatchStream  # noqa: E402

# What the trainer consumes (benchmarks/train_throughput.py, cgan-strong on this 2-core CPU).
TRAINER_IMAGES_PER_SECOND = (150, 360)


def hardware() -> str:
    model = cpu_model()
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * page_size / 1024**3:.0f} GiB RAM"
    except (ValueError, OSError):
        memory = ""
    load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return (f"{model}, {os.cpu_count()} logical CPUs{memory}{load}; Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def load_data():
    from ml.data.sources import default_data_root, load_letters_pool

    if (default_data_root() / "emnist-letters-partial").is_dir():
        return "EMNIST letters pool (train split)", load_letters_pool()["train"]
    from ml.data.charset import letters
    from ml.data.fixture import make_fixture

    return "fixture (real data absent)", make_fixture(100_000, charset=letters())


def measure(data, *, batch: int, balanced: bool, epochs: int) -> dict:
    stream = BatchStream(data, batch_size=batch, seed=0, balanced=balanced)
    tracemalloc.start()
    batches, order_seconds = 0, 0.0
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t_order = time.perf_counter()
        stream.epoch_order(epoch)  # the per-epoch shuffle, timed on its own as well
        order_seconds += time.perf_counter() - t_order
        for images, labels in stream.epoch(epoch):
            batches += 1
            assert images.shape == (batch, 28, 28, 1) and len(labels) == batch
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # epoch() computes the order again itself; leave out the extra timing call
    seconds -= order_seconds
    return {"batches": batches, "seconds": seconds, "batches_per_second": batches / seconds,
            "images_per_second": batches * batch / seconds, "order_seconds": order_seconds / epochs,
            "peak_bytes": peak, "steps_per_epoch": stream.steps_per_epoch}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args(argv)

    print(f"hardware: {hardware()}")
    t0 = time.perf_counter()
    name, data = load_data()
    print(f"data: {name}: {len(data):,} images, {data.charset.n_classes} classes, "
          f"{data.images.nbytes / 1024**2:.0f} MiB of uint8 pixels (loaded and checked in "
          f"{time.perf_counter() - t0:.1f} s)")
    slowest = None
    for balanced in (False, True):
        r = measure(data, batch=args.batch, balanced=balanced, epochs=args.epochs)
        label = "balanced" if balanced else "plain   "
        print(f"{label}: {r['batches_per_second']:8.1f} batches/s = {r['images_per_second']:9,.0f} images/s "
              f"(batch {args.batch}, {r['batches']} batches over {args.epochs} epochs of {r['steps_per_epoch']} "
              f"steps; epoch shuffle {r['order_seconds'] * 1000:.0f} ms); peak traced memory "
              f"{r['peak_bytes'] / 1024**2:.1f} MiB")
        slowest = min(slowest or r["images_per_second"], r["images_per_second"])
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory (getrusage): {maxrss_mib:.0f} MiB, dataset included")
    lo, hi = TRAINER_IMAGES_PER_SECOND
    print(f"trainer consumes {lo}-{hi} images/s (cgan-strong, this CPU): the slower pipeline mode produces "
          f"{slowest / hi:.0f}x the fastest trainer rate, so data loading is not the bottleneck")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
