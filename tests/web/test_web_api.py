"""The read-only API: data for signed-in users, token auth, filters with clear errors."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from generator_app.models import TrainingRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(sample_objects):
    client = APIClient()
    client.force_authenticate(sample_objects["user"])
    return client


def test_runs_list_is_paginated_with_run_fields(api, sample_objects):
    body = api.get("/api/runs/").json()
    assert body["count"] == 1 and body["next"] is None
    run = body["results"][0]
    assert run["id"] == sample_objects["run"].pk
    assert run["datasets"] == [sample_objects["dataset"].pk]
    assert run["progress"] == pytest.approx(2 / 3)
    assert run["created_by"] == "writer"


def test_runs_can_be_filtered_and_bad_filters_are_400(api, sample_objects):
    TrainingRun.objects.create(architecture="dcgan", epochs_total=1)
    assert api.get("/api/runs/", {"status": "running"}).json()["count"] == 1
    assert api.get("/api/runs/", {"architecture": "dcgan"}).json()["count"] == 1
    assert api.get("/api/runs/", {"dataset": sample_objects["dataset"].pk}).json()["count"] == 1
    bad = api.get("/api/runs/", {"status": "exploded"})
    assert bad.status_code == 400 and "exploded" in str(bad.json())
    assert api.get("/api/runs/", {"dataset": "mnist"}).status_code == 400


def test_metrics_and_samples_of_a_run(api, sample_objects):
    run = sample_objects["run"]
    metrics = api.get(f"/api/runs/{run.pk}/metrics/").json()
    assert metrics == [{**metrics[0], "epoch": 1, "step": 100, "losses": {"d_loss": 0.69, "g_loss": 0.71}}]
    samples = api.get(f"/api/runs/{run.pk}/samples/").json()
    assert samples[0]["epoch"] == 1
    assert samples[0]["image_url"].endswith(f"/runs/samples/{sample_objects['grid'].pk}.png")
    assert api.get("/api/runs/999999/metrics/").status_code == 404


def test_datasets_endpoint(api):
    body = api.get("/api/datasets/").json()
    assert body["results"][0]["name"] == "mnist" and body["results"][0]["total_examples"] == 70000
    assert "storage_path" not in body["results"][0]  # server paths stay private


def test_api_is_read_only(api, sample_objects):
    assert api.post("/api/runs/", {"architecture": "x"}, format="json").status_code == 405
    assert api.delete(f"/api/runs/{sample_objects['run'].pk}/").status_code == 405


def test_token_authentication(sample_objects):
    token = Token.objects.create(user=sample_objects["user"])
    client = APIClient()
    assert client.get("/api/runs/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/runs/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/runs/").status_code == 401


def test_openapi_schema_validates_without_warnings(tmp_path):
    path = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    text = path.read_text()
    for endpoint in ["/api/runs/{id}/metrics/", "/api/runs/{id}/samples/", "/api/datasets/"]:
        assert endpoint in text


def test_schema_and_swagger_ui_for_signed_in_users(client, sample_objects):
    client.force_login(sample_objects["user"])
    assert client.get("/api/schema/").status_code == 200
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()  # assets come from this site
