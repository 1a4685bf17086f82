"""A run's metrics as compact columns, the shape the charts draw without reshaping.

``{"x": [...], "series": {name: [...]}}`` with one shared x column and ``null`` where a
value is missing: 200 epochs x 10 metrics is a few kilobytes and one request, and the
charting library (uPlot) takes the columns as they are. Rows are read with
``values_list`` (no model instances) so a long run stays cheap.
"""

import math

from generator_app.models import EpochMetric

# Per-step keys the trainer reports (EpochMetric.step_series), in display order.
STEP_KEYS = (
    "d_loss", "g_loss", "d_aux_loss", "g_aux_loss",
    "d_acc_real", "d_acc_fake", "g_grad_mean", "g_grad_std",
)  # fmt: skip
# More step points than this are averaged in equal buckets: a chart is ~1,000 px wide.
MAX_STEP_POINTS = 4000


def _number(value):
    """A finite number rounded to 6 significant digits (a chart needs no more; halves the JSON)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value if isinstance(value, int) else float(f"{value:.6g}")


def _ordered_keys(rows_of_maps):
    keys = {}
    for mapping in rows_of_maps:
        for key in mapping or {}:
            keys.setdefault(key, None)
    return list(keys)


def epoch_series(*, run, after_epoch=0):
    """Every epoch-level value of ``run`` (losses, then metrics, then ``duration_seconds``).

    ``after_epoch`` returns only later epochs: a live page appends them to what it has.
    """
    rows = list(
        EpochMetric.objects.filter(run=run, epoch__gt=after_epoch)
        .order_by("epoch")
        .values_list("epoch", "step", "losses", "metrics", "duration_seconds")
    )
    losses = [row[2] or {} for row in rows]
    metrics = [row[3] or {} for row in rows]
    series = {}
    for key in _ordered_keys(losses):
        series[key] = [_number(item.get(key)) for item in losses]
    for key in _ordered_keys(metrics):
        if key not in series:
            series[key] = [_number(item.get(key)) for item in metrics]
    series["duration_seconds"] = [_number(row[4]) for row in rows]
    return {
        "scale": "epoch",
        "x": [row[0] for row in rows],
        "step": [row[1] for row in rows],
        "series": series,
    }


def _bucket_means(values, size):
    out = []
    for start in range(0, len(values), size):
        chunk = [v for v in values[start : start + size] if v is not None]
        out.append(sum(chunk) / len(chunk) if chunk else None)
    return out


def step_series(*, run, after_epoch=0, max_points=MAX_STEP_POINTS):
    """The per-step values logged inside each epoch, joined across epochs.

    Each epoch's ``step_series`` holds a ``step`` column and one column per key; a
    column of the wrong length is padded with nulls rather than shifting the others.
    Beyond ``max_points`` points, consecutive points are averaged (``bucket`` says how
    many per point) so the response stays small for runs logged at every step.
    """
    rows = EpochMetric.objects.filter(run=run, epoch__gt=after_epoch).order_by("epoch").values_list(
        "epoch", "step_series"
    )
    steps, epochs, columns = [], [], {key: [] for key in STEP_KEYS}
    for epoch, data in rows:
        data = data if isinstance(data, dict) else {}
        epoch_steps = data.get("step") if isinstance(data.get("step"), list) else []
        count = len(epoch_steps)
        steps.extend(epoch_steps)
        epochs.extend([epoch] * count)
        for key in STEP_KEYS:
            values = data.get(key) if isinstance(data.get(key), list) else []
            values = [_number(v) for v in values[:count]]
            columns[key].extend(values + [None] * (count - len(values)))
    series = {key: values for key, values in columns.items() if any(v is not None for v in values)}
    bucket = max(1, math.ceil(len(steps) / max_points))
    if bucket > 1:
        steps = steps[bucket - 1 :: bucket] + ([steps[-1]] if len(steps) % bucket else [])
        epochs = epochs[bucket - 1 :: bucket] + ([epochs[-1]] if len(epochs) % bucket else [])
        series = {key: _bucket_means(values, bucket) for key, values in series.items()}
    return {"scale": "step", "x": steps, "epoch": epochs, "bucket": bucket, "series": series}


def aligned_epoch_series(series_by_run):
    """Put several runs' epoch series on one shared epoch axis (nulls where a run has none).

    ``series_by_run``: {run_id: epoch_series(...)}. Returns ``(x, {run_id: {key: column}})``.
    """
    x = sorted({epoch for data in series_by_run.values() for epoch in data["x"]})
    position = {epoch: i for i, epoch in enumerate(x)}
    aligned = {}
    for run_id, data in series_by_run.items():
        columns = {}
        for key, values in data["series"].items():
            column = [None] * len(x)
            for epoch, value in zip(data["x"], values, strict=True):
                column[position[epoch]] = value
            columns[key] = column
        aligned[run_id] = columns
    return x, aligned
