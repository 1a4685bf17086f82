"""Where and how the server ran a run (host and pid, commit, data folder, traceback) is for staff."""

import io
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from generator_app.models import RunStatus
from tests.web.run_factories import make_run

pytestmark = pytest.mark.django_db

DATA_ROOT = "/srv/handgen/private-datasets/mnist"
HOST = "gpu-box-7.internal (pid 4242)"
COMMIT = "c0ffee1234"
TRACE = 'File "/opt/handgen/ml/train/loop.py", line 12'


@pytest.fixture
def run(media_root):
    run = make_run(epochs_done=2, epochs_total=3, status=RunStatus.FAILED, config={"data_root": DATA_ROOT})
    run.worker_host, run.code_version, run.error_details = HOST, COMMIT, TRACE
    run.save()
    return run


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", password="a-long-test-password")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("operator", password="a-long-test-password", is_staff=True)


SECRETS = (DATA_ROOT, "gpu-box-7", "4242", COMMIT, "/opt/handgen")


def page(client, user, run):
    client.force_login(user)
    response = client.get(reverse("run_detail", args=[run.pk]))
    assert response.status_code == 200
    return response.content.decode()


def api_bodies(user, run):
    api = APIClient()
    api.force_authenticate(user)
    return [api.get(f"/api/runs/{run.pk}/").content.decode(), api.get("/api/runs/").content.decode(),
            api.get(f"/api/runs/compare/?ids={run.pk},{make_run(epochs_done=1).pk}").content.decode()]  # fmt: skip


def test_a_signed_in_user_sees_none_of_the_server_details(client, reader, run):
    text = page(client, reader, run)
    assert "Worker lost: out of memory" in text  # the reason stays
    for body in [text, *api_bodies(reader, run)]:
        for secret in SECRETS:
            assert secret not in body
    detail = APIClient()
    detail.force_authenticate(reader)
    data = detail.get(f"/api/runs/{run.pk}/").json()
    assert data["worker_host"] is None and data["code_version"] is None and data["error_details"] is None
    assert "data_root" not in data["hyperparameters"] and data["hyperparameters"]["dataset"] == "mnist"


def test_staff_see_them(client, staff, run):
    text = page(client, staff, run)
    for body in [text, api_bodies(staff, run)[0]]:
        for secret in SECRETS:
            assert secret in body


def test_the_tensorboard_export_leaves_out_the_data_folder(client, reader, run):
    client.force_login(reader)
    response = client.get(reverse("run_tensorboard_zip", args=[run.pk]))
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        contents = b"".join(archive.read(name) for name in archive.namelist())
    assert b"data_root" not in contents and DATA_ROOT.encode() not in contents
    assert b"epochs" in contents  # the rest of the configuration is there
