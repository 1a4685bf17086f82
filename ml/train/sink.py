"""Where the trainer reports: the seam between ``ml`` and whoever runs it.

The CLI uses ``FileSink`` + ``ConsoleSink``; the Django side implements the same
methods to write database rows, and ``should_stop`` to honour cancellation.
"""

from __future__ import annotations

import json
from pathlib import Path


class Sink:
    """No-op base: a sink overrides only what it cares about."""

    def on_start(self, info: dict) -> None: ...

    def on_steps(self, epoch: int, step: int, global_step: int, metrics: dict) -> None: ...

    def on_epoch(self, epoch: int, metrics: dict, grid_png: bytes) -> None: ...

    def on_checkpoint(self, epoch: int, path: Path) -> None: ...

    def on_end(self, status: str, info: dict) -> None: ...

    def should_stop(self) -> bool:
        return False


class MultiSink(Sink):
    def __init__(self, *sinks: Sink):
        self.sinks = sinks

    def on_start(self, info):
        for s in self.sinks:
            s.on_start(info)

    def on_steps(self, epoch, step, global_step, metrics):
        for s in self.sinks:
            s.on_steps(epoch, step, global_step, metrics)

    def on_epoch(self, epoch, metrics, grid_png):
        for s in self.sinks:
            s.on_epoch(epoch, metrics, grid_png)

    def on_checkpoint(self, epoch, path):
        for s in self.sinks:
            s.on_checkpoint(epoch, path)

    def on_end(self, status, info):
        for s in self.sinks:
            s.on_end(status, info)

    def should_stop(self):
        return any(s.should_stop() for s in self.sinks)


class FileSink(Sink):
    """metrics.jsonl (one row per epoch, rewritten on resume so no epoch appears twice), grids/."""

    def __init__(self, out_dir):
        self.out = Path(out_dir)
        (self.out / "grids").mkdir(parents=True, exist_ok=True)

    def on_start(self, info):
        start = info["start_epoch"]
        for name in ("metrics.jsonl", "steps.jsonl"):
            path = self.out / name
            if path.exists():  # drop rows from epochs a resumed run will redo
                rows = [r for r in path.read_text().splitlines() if r and json.loads(r)["epoch"] < start]
                path.write_text("".join(r + "\n" for r in rows))

    def on_steps(self, epoch, step, global_step, metrics):
        with open(self.out / "steps.jsonl", "a") as fh:
            fh.write(json.dumps({"epoch": epoch, "step": step, "global_step": global_step, **metrics}) + "\n")

    def on_epoch(self, epoch, metrics, grid_png):
        (self.out / "grids" / f"epoch-{epoch:05d}.png").write_bytes(grid_png)
        with open(self.out / "metrics.jsonl", "a") as fh:
            fh.write(json.dumps({"epoch": epoch, **metrics}) + "\n")


class StopFileSink(Sink):
    """Stops the run when a file named STOP appears in the run folder (handy from a shell)."""

    def __init__(self, out_dir):
        self.flag = Path(out_dir) / "STOP"

    def should_stop(self):
        return self.flag.exists()
