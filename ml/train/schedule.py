"""Linear learning-rate decay at the end of a run: the ``lr_decay_start`` option.

At a constant learning rate a GAN's samples keep circling the equilibrium
instead of settling: extending the letters generator past six epochs made its
per-epoch FID wander (0.64, then 0.70-0.80 over epochs 7-10). Taking both learning
rates linearly to zero over the last part of the run, the usual end of GAN
schedules (e.g. pix2pix, CycleGAN), is meant to damp that. Measured on letters: in
the wider v3 run the per-epoch FID fell from 0.72 to 0.62 over the decaying half,
but on the v2 config alone it gave no gain at 10,000 images (0.550 against 0.528);
see the letters v2 model card. The rate is a function of the optimizer's own step
counter, which checkpoints carry, so a resumed run continues on the same curve.
"""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="handgen")
class LinearTail(keras.optimizers.schedules.LearningRateSchedule):
    """``base`` until step ``start``, then a straight line to 0 at step ``total``."""

    def __init__(self, base: float, start: int, total: int):
        if not 0 <= start < total:
            raise ValueError(f"decay must start before the last step (start {start}, total {total})")
        self.base, self.start, self.total = float(base), int(start), int(total)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        left = (self.total - step) / float(self.total - self.start)
        return self.base * keras.ops.clip(left, 0.0, 1.0)

    def get_config(self):
        return {"base": self.base, "start": self.start, "total": self.total}


def linear_tail(base: float, start_fraction: float, total_steps: int) -> LinearTail:
    """A ``LinearTail`` from ``base`` that starts falling ``start_fraction`` of the way through ``total_steps``."""
    start = min(int(round(start_fraction * total_steps)), total_steps - 1)
    return LinearTail(base, start, total_steps)
