"""A run's metrics leave HandGen as CSV (spreadsheets, pandas) or TensorBoard event files.

TensorBoard files are written with tensorboardX, which produces the event-file format
(TFRecord-framed ``Event`` protobufs) from pure Python; the web process must never
import TensorFlow, and the format is not ours to re-implement. The export is built on
request into a temporary folder and sent as a zip: it is cheap (one pass over the
run's rows) and always matches the database, so nothing has to be kept in sync.
"""

import csv
import io
import json
import math
import tempfile
import time
import zipfile
from pathlib import Path

from django.utils.text import slugify

from generator_app.models import EpochMetric, SampleGrid
from generator_app.selectors.run_series import STEP_KEYS
from generator_app.selectors.run_visibility import public_config
from generator_app.selectors.runs import pick_evenly

QUALITY_TAGS = {"cond_acc", "cond_acc_min_class", "is", "bcis", "wcis", "fid", "case_acc"}
MAX_IMAGES = 100  # TensorBoard shows a handful per tag anyway; keeps the zip small


def _keys(mappings):
    keys = {}
    for mapping in mappings:
        keys.update(dict.fromkeys(mapping or {}))
    return list(keys)


def _cell(value):
    return "" if value is None else value


def epoch_csv_rows(run):
    """Header then one row per epoch: epoch, step, duration, time, every loss, every metric."""
    rows = list(
        EpochMetric.objects.filter(run=run)
        .order_by("epoch")
        .values_list("epoch", "step", "duration_seconds", "recorded_at", "losses", "metrics")
    )
    loss_keys = _keys(row[4] for row in rows)
    metric_keys = [key for key in _keys(row[5] for row in rows) if key not in loss_keys]
    yield ["epoch", "step", "duration_seconds", "recorded_at", *loss_keys, *metric_keys]
    for epoch, step, duration, recorded_at, losses, metrics in rows:
        losses, metrics = losses or {}, metrics or {}
        yield [
            epoch,
            step,
            _cell(duration),
            recorded_at.isoformat(),
            *(_cell(losses.get(key)) for key in loss_keys),
            *(_cell(metrics.get(key)) for key in metric_keys),
        ]


def step_csv_rows(run):
    """Header then one row per logged training step: epoch, step and the step-level values."""
    rows = EpochMetric.objects.filter(run=run).order_by("epoch").values_list("epoch", "step_series")
    yield ["epoch", "step", *STEP_KEYS]
    for epoch, data in rows:
        data = data if isinstance(data, dict) else {}
        steps = data.get("step") if isinstance(data.get("step"), list) else []
        columns = [data.get(key) if isinstance(data.get(key), list) else [] for key in STEP_KEYS]
        for i, step in enumerate(steps):
            yield [epoch, step, *(_cell(column[i]) if i < len(column) else "" for column in columns)]


def csv_lines(rows):
    """Encode rows one line at a time, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def export_name(run):
    return f"handgen-run-{run.pk}" + (f"-{slugify(run.name)}" if slugify(run.name) else "")


def _grid_image_value(grid):
    """The grid's own PNG bytes as a TensorBoard image value: no decode and re-encode."""
    from PIL import Image
    from tensorboardX.proto.summary_pb2 import Summary

    with grid.image.open("rb") as handle:
        png = handle.read()
    header = Image.open(io.BytesIO(png))  # reads the header only
    width, height = header.size
    channels = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}.get(header.mode, 1)
    image = Summary.Image(height=height, width=width, colorspace=channels, encoded_image_string=png)
    return Summary.Value(tag="samples", image=image)


def _scalar_values(prefix_of, values):
    from tensorboardX.proto.summary_pb2 import Summary

    return [
        Summary.Value(tag=f"{prefix_of(key)}/{key}", simple_value=float(value))
        for key, value in values.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ]


def write_tensorboard_logs(run, log_dir):
    """Write ``run``'s scalars, config and sample grids as TensorBoard events under ``log_dir``.

    Scalars are logged at the global step (epoch values at the step that ended the epoch),
    so per-step and per-epoch curves share TensorBoard's step axis: ``step/*`` are the
    logged training steps, ``epoch/*`` the epoch averages, ``quality/*`` the evaluator's
    figures; grids (at most ``MAX_IMAGES``, evenly spaced) appear under Images as
    ``samples``. All values of one step go in one event, written synchronously by
    tensorboardX's ``EventsWriter`` (its ``FileWriter`` hands every event to a thread
    through a 10-deep queue, which made a 200-epoch export take minutes on a busy host).
    """
    from tensorboardX import summary
    from tensorboardX.event_file_writer import EventsWriter
    from tensorboardX.proto.event_pb2 import Event
    from tensorboardX.proto.summary_pb2 import Summary

    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    events = EventsWriter(str(log_dir / "events"), filename_suffix=f".handgen-run-{run.pk}")
    now = time.time()

    def write(summary_proto, step, walltime=None):
        events.write_event(Event(wall_time=walltime or now, step=step, summary=summary_proto))

    try:
        # Exports travel: the server's data folder means nothing elsewhere and tells too much.
        config = json.dumps(public_config(run.hyperparameters), indent=2, sort_keys=True)
        write(summary.text("config", f"```\n{config}\n```"), 0)
        epoch_steps = {}
        rows = EpochMetric.objects.filter(run=run).order_by("epoch").values_list(
            "epoch", "step", "recorded_at", "losses", "metrics", "step_series"
        )
        for epoch, step, recorded_at, losses, metrics, series in rows:
            global_step = step or epoch
            epoch_steps[epoch] = global_step
            values = _scalar_values(
                lambda key: "quality" if key in QUALITY_TAGS else "epoch",
                {"epoch": epoch, **(losses or {}), **(metrics or {})},
            )
            write(Summary(value=values), global_step, walltime=recorded_at.timestamp())
            series = series if isinstance(series, dict) else {}
            steps = series.get("step") if isinstance(series.get("step"), list) else []
            columns = {key: series[key] for key in STEP_KEYS if isinstance(series.get(key), list)}
            for i, point_step in enumerate(steps):
                point = {key: column[i] for key, column in columns.items() if i < len(column)}
                values = _scalar_values(lambda key: "step", point)
                if values:
                    write(Summary(value=values), point_step)
        grids = list(SampleGrid.objects.filter(run=run).order_by("epoch"))
        for grid in pick_evenly(grids, MAX_IMAGES):
            try:
                value = _grid_image_value(grid)
            except (FileNotFoundError, OSError):
                continue  # a lost image file leaves a gap, not a failed export
            write(Summary(value=[value]), epoch_steps.get(grid.epoch, grid.epoch))
    finally:
        events.close()
    return log_dir


def tensorboard_zip(run):
    """A zip (an open, rewound file) of the run's TensorBoard logs in one folder named after the run."""
    archive = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115  (handed to the response)
    folder = export_name(run)
    with tempfile.TemporaryDirectory(prefix="handgen-tb-") as tmp:
        write_tensorboard_logs(run, Path(tmp) / folder)
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    bundle.write(path, path.relative_to(tmp).as_posix())
    archive.seek(0)
    return archive
