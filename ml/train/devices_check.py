"""Print a tiny run's per-step losses as JSON: the multi-device test compares 1 vs N simulated devices.

Run in a fresh process, because XLA_FLAGS and KERAS_BACKEND must be set before JAX loads.
"""

from __future__ import annotations

import json
import sys
import tempfile

from ml.train.loop import train
from ml.train.sink import Sink


class _Losses(Sink):
    def __init__(self):
        self.rows = []

    def on_steps(self, epoch, step, global_step, metrics):
        self.rows.append([metrics["d_loss"], metrics["g_loss"]])


def main() -> int:
    import jax

    sink = _Losses()
    cfg = {"architecture": sys.argv[1] if len(sys.argv) > 1 else "cgan-strong", "dataset": "fixture", "epochs": 2,
           "steps_per_epoch": 3, "batch_size": 16, "log_every": 1, "seed": 11}
    with tempfile.TemporaryDirectory() as out:
        summary = train(cfg, out, sink=sink)
    print(json.dumps({"devices": len(jax.devices()), "status": summary["status"], "losses": sink.rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
