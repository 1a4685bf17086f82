"""The OpenAPI schema says what the server does: nullable fields, error answers, checked parameters."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(django_user_model):
    cache.clear()
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("reader", password="a-long-test-password"))
    return client


@pytest.fixture
def schema(api):
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_duration_is_nullable_and_server_details_too(schema):
    generation = schema["components"]["schemas"]["Generation"]["properties"]
    assert generation["duration_ms"].get("nullable") is True
    run = schema["components"]["schemas"]["RunDetail"]["properties"]
    assert all(run[name].get("nullable") for name in ("worker_host", "code_version", "error_details"))


def test_every_operation_documents_the_errors_it_can_answer(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"401", "413", "429"} <= codes, (method, path)
            if "{" in path:
                assert {"400", "404"} <= codes, (method, path)
            if method == "post":
                assert {"400", "415"} <= codes, (method, path)
    listing = schema["paths"]["/api/runs/"]["get"]
    parameters = {p["name"]: p for p in listing["parameters"]}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["dataset"]["schema"]["type"] == "integer"
    assert "" not in parameters["status"]["schema"].get("enum", [""])


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/runs/?page=", "page"), ("/api/runs/?page=abc", "page"), ("/api/runs/?page=0", "page"),
        ("/api/generations/?page=-1", "page"), ("/api/runs/?status=", "status"),
        ("/api/runs/?architecture=", "architecture"), ("/api/runs/?dataset=", "dataset"),
        ("/api/runs/?dataset=99999999999999999999", "dataset"), ("/api/runs/?sort=", "sort"),
        ("/api/runs/1/series/?after_epoch=99999999999", "after_epoch"),
    ],
)  # fmt: skip
def test_invalid_parameters_are_a_400_naming_the_parameter(api, url, field):
    response = api.get(url)
    assert response.status_code == 400 and field in response.json(), response.content


def test_a_page_past_the_end_is_a_404(api):
    assert api.get("/api/runs/?page=1").status_code == 200
    assert api.get("/api/runs/?page=7").status_code == 404


def test_a_text_that_is_not_a_string_is_refused(api):
    response = api.post("/api/generations/", {"text": 0}, format="json")
    assert response.status_code == 400 and "text" in response.json()
