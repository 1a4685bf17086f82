"""Exports: the epochs and steps CSV, and TensorBoard event files read back record by record."""

import csv
import io
import struct
import subprocess
import sys
import zipfile

import pytest
from django.urls import reverse

from generator_app.models import EpochMetric, RunStatus
from generator_app.services.run_export import write_tensorboard_logs
from tests.web.run_factories import make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="a-long-test-password"))
    return client


@pytest.fixture
def run(media_root):
    return make_run(epochs_done=3, epochs_total=5, status=RunStatus.RUNNING, name="Adam baseline")


def read_csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_epochs_csv_has_one_row_per_epoch_with_every_value(signed_in, run):
    response = signed_in.get(reverse("run_epochs_csv", args=[run.pk]))
    assert f'filename="handgen-run-{run.pk}-adam-baseline-epochs.csv"' in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:4] == ["epoch", "step", "duration_seconds", "recorded_at"]
    assert {"d_loss", "g_loss", "d_aux_loss", "d_acc_real", "cond_acc", "fid", "images_per_second"} <= set(header)
    assert [row[0] for row in rows] == ["1", "2", "3"]
    second = EpochMetric.objects.get(run=run, epoch=2)
    values = dict(zip(header, rows[1], strict=True))
    assert float(values["g_loss"]) == second.losses["g_loss"]
    assert float(values["cond_acc"]) == second.metrics["cond_acc"]
    assert values["step"] == "200"


def test_steps_csv_has_every_logged_step(signed_in, run):
    header, *rows = read_csv(signed_in.get(reverse("run_steps_csv", args=[run.pk])))
    assert header[:4] == ["epoch", "step", "d_loss", "g_loss"]
    assert len(rows) == 30 and rows[0][:2] == ["1", "10"] and rows[-1][:2] == ["3", "300"]
    first = EpochMetric.objects.get(run=run, epoch=1).step_series
    assert float(rows[0][header.index("d_acc_fake")]) == first["d_acc_fake"][0]


def test_csv_of_a_run_without_metrics_is_just_the_header(signed_in, media_root):
    queued = make_run(epochs_done=0, epochs_total=2, status=RunStatus.QUEUED, grids=False)
    assert read_csv(signed_in.get(reverse("run_epochs_csv", args=[queued.pk]))) == [
        ["epoch", "step", "duration_seconds", "recorded_at"]
    ]
    assert len(read_csv(signed_in.get(reverse("run_steps_csv", args=[queued.pk])))) == 1


def tensorboard_events(data):
    """Parse TFRecord-framed Event protobufs (length, crc, payload, crc) as TensorBoard does."""
    from tensorboardX.proto import event_pb2
    from tensorboardX.record_writer import masked_crc32c

    events, offset = [], 0
    while offset < len(data):
        header = data[offset : offset + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack_from("<I", data, offset + 8)
        payload = data[offset + 12 : offset + 12 + length]
        (payload_crc,) = struct.unpack_from("<I", data, offset + 12 + length)
        assert header_crc == masked_crc32c(header) and payload_crc == masked_crc32c(payload)  # not corrupt
        events.append(event_pb2.Event.FromString(payload))
        offset += 12 + length + 4
    return events


def scalars(events):
    found = {}
    for event in events:
        for value in event.summary.value:
            if value.HasField("simple_value"):
                found.setdefault(value.tag, []).append((event.step, value.simple_value))
            elif value.HasField("image"):
                found.setdefault(value.tag, []).append((event.step, value.image.height))
    return found


def test_tensorboard_zip_holds_readable_event_files(signed_in, run):
    response = signed_in.get(reverse("run_tensorboard_zip", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    (name,) = archive.namelist()
    assert name.startswith(f"handgen-run-{run.pk}-adam-baseline/events.out.tfevents.")
    events = tensorboard_events(archive.read(name))
    assert events[0].file_version == "brain.Event:2"
    tags = scalars(events)
    rows = {m.epoch: m for m in EpochMetric.objects.filter(run=run)}
    assert [step for step, _ in tags["epoch/d_loss"]] == [100, 200, 300]  # at each epoch's last step
    assert tags["epoch/d_loss"][1][1] == pytest.approx(rows[2].losses["d_loss"], rel=1e-6)
    assert tags["quality/fid"][2][1] == pytest.approx(rows[3].metrics["fid"], rel=1e-6)
    assert len(tags["step/g_loss"]) == 30 and tags["step/g_loss"][0][0] == 10
    assert [step for step, _ in tags["samples"]] == [100, 200, 300]  # grid images, one per epoch
    texts = [v for e in events for v in e.summary.value if v.tag.startswith("config")]
    assert texts and b"cgan-strong" in texts[0].tensor.string_val[0]


def test_tensorboard_export_needs_no_tensorflow(tmp_path):
    """tensorboardX writes the files itself: the web process stays free of TensorFlow."""
    code = (
        "import sys; from tensorboardX import SummaryWriter; import numpy as np;"
        f"w = SummaryWriter({str(tmp_path)!r}); w.add_scalar('a', 1.0, 1);"
        "w.add_image('i', np.zeros((4, 4), np.uint8), 1, dataformats='HW'); w.close();"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'torch', 'jax', 'keras')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert any(p.name.startswith("events.out.tfevents") for p in tmp_path.iterdir())


def test_tensorboard_logs_of_a_run_without_metrics(media_root, tmp_path):
    queued = make_run(epochs_done=0, epochs_total=2, status=RunStatus.QUEUED, grids=False)
    folder = write_tensorboard_logs(queued, tmp_path / "tb")
    (events_file,) = folder.iterdir()
    tags = scalars(tensorboard_events(events_file.read_bytes()))
    assert tags == {}  # only the config text: nothing to plot, nothing broken
