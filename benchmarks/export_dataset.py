"""Time a 60,000-image export (the size of MNIST's training set) with a shipped generator.

python benchmarks/export_dataset.py [--model PATH] [--n 60000] [--format idx] [--reject]

Loads the generator first (as a warm worker holds it), then times ``export_dataset``
end to end: drawing in batches, the optional evaluator rejection, writing and
checksumming the ZIP. Prints the time, the throughput and the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import cpu_model  # noqa: E402

DEFAULT_MODEL = "ml/pretrained/digits-cgan-strong-v2/generator.keras"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--n", type=int, default=60_000)
    parser.add_argument("--format", default="idx", choices=("idx", "npz", "png"))
    parser.add_argument("--reject", action="store_true")
    args = parser.parse_args(argv)

    from ml.export.build import export_dataset
    from ml.generator import Generator

    t0 = time.perf_counter()
    generator = Generator(args.model)
    load_seconds = time.perf_counter() - t0
    per_class = args.n // generator.charset.n_classes
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.zip"
        t1, cpu1 = time.perf_counter(), time.process_time()
        manifest = export_dataset(args.model, out, fmt=args.format, seed=0, per_class=per_class,
                                  reject=args.reject, generator=generator)
        seconds, cpu_seconds = time.perf_counter() - t1, time.process_time() - cpu1
        size = out.stat().st_size
    import keras

    print(f"export of {manifest['total']:,} images ({args.format}{', with rejection' if args.reject else ''}) "
          f"by {Path(args.model).parent.name}: {seconds:.1f} s end to end (drawing {manifest['draw_seconds']:.1f} s), "
          f"{manifest['total'] / seconds:,.0f} images/s, ZIP {size / 1e6:.1f} MB; generator load {load_seconds:.1f} s")
    # CPU time of this process over both cores: on an otherwise idle machine the wall time is
    # about this divided by the cores it keeps busy; on a shared one, wall time is what it is.
    print(f"CPU time of the export: {cpu_seconds:.1f} s ({cpu_seconds / seconds:.2f} cores busy on average)")
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end; "
          f"Keras {keras.__version__} on {keras.backend.backend()}")
    if manifest["rejection"]:
        print(f"rejection: {manifest['rejection']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
