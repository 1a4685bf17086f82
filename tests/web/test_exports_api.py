"""Dataset exports: bad requests get a 400 with the reason, the job runs in a real worker, the file imports back."""

import gzip
import io
import json
import struct
import time
import zipfile

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from generator_app.models import Dataset, DatasetExport, JobStatus
from generator_app.services.dataset_exports import delete_export, request_export

API = "/api/exports/"
WAIT_SECONDS = 420  # a cold worker first imports TensorFlow and loads the generator


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def client_for(user):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def ann(django_user_model):
    return django_user_model.objects.create_user("ann", password="a-long-test-password")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="a-long-test-password")


@pytest.fixture
def digits_generator(db, media_root):
    """A registered generator row; its weights file is not a model, which validation never needs."""
    from django.core.files.base import ContentFile

    from generator_app.models import GeneratorModel

    generator = GeneratorModel(name="digits-v1", charset="digits", architecture="cgan-strong")
    generator.weights.save("generator.keras", ContentFile(b"weights"), save=True)
    return generator


def wait_until_done(api, url, timeout=WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.get(url).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"still {body['status']} after {timeout}s")


@pytest.mark.django_db
@pytest.mark.parametrize("body, field, words", [
    ({"per_class": 0}, "per_class", "at least 1"),
    ({"per_class": -3}, "per_class", "at least 1"),
    ({"per_class": 10**9}, "per_class", "more than the 200,000"),
    ({"per_class": 20_001}, "per_class", "200,010 images"),
    ({}, "per_class", "Give the number of images per class"),
    ({"per_class": 5, "generator": "no-such-generator"}, "generator", "Unknown generator 'no-such-generator'"),
    ({"per_class": 5, "data_format": "tiff"}, "data_format", "not a valid choice"),
    ({"per_class": 5, "seed": -1}, "seed", "0 to 4294967295"),
    ({"per_class": 5, "seed": 2**40}, "seed", "0 to 4294967295"),
    ({"total": 100}, "per_class", "Give the number of images per class"),
])  # fmt: skip
def test_a_bad_request_gets_a_400_with_the_reason(digits_generator, ann, body, field, words):
    response = client_for(ann).post(API, {"generator": "digits-v1", **body}, format="json")
    assert response.status_code == 400, response.content
    assert words in " ".join(response.json()[field])
    assert not DatasetExport.objects.exists()


@pytest.mark.django_db
def test_proportions_need_every_class_and_a_total(digits_generator, ann):
    partial = Dataset.objects.create(name="half", kind="digits", charset="digits", storage_path="x",
                                     class_histogram={"train": {"0": 10, "1": 30}})
    api = client_for(ann)
    response = api.post(API, {"generator": "digits-v1", "proportions_from": partial.pk, "total": 100}, format="json")
    assert response.status_code == 400 and "no images of 2, 3" in response.json()["proportions_from"][0]
    response = api.post(API, {"generator": "digits-v1", "proportions_from": partial.pk}, format="json")
    assert response.status_code == 400 and "total" in response.json()


@pytest.mark.django_db
def test_proportions_are_copied_from_a_dataset(digits_generator, ann, django_capture_on_commit_callbacks):
    histogram = {str(d): 100 * (d + 1) for d in range(10)}
    source = Dataset.objects.create(name="skewed", kind="digits", charset="digits", storage_path="x",
                                    class_histogram={"train": histogram})
    export = request_export(owner=ann, generator=digits_generator, proportions_from=source, total=1100)
    assert export.total_images == 1100 and export.per_class is None
    assert export.class_counts == {str(d): 20 * (d + 1) for d in range(10)}


@pytest.mark.django_db
def test_exports_are_private(digits_generator, ann, bob):
    export = DatasetExport.objects.create(owner=ann, generator=digits_generator, per_class=1, total_images=10,
                                          seed=0)
    assert client_for(bob).get(f"{API}{export.pk}/").status_code == 404
    assert client_for(bob).get(f"{API}{export.pk}/download/").status_code == 404
    assert client_for(ann).get(f"{API}{export.pk}/download/").status_code == 404  # no file yet
    assert APIClient().get(API).status_code == 401
    assert client_for(ann).get(API).json()["count"] == 1
    assert client_for(bob).get(API).json()["count"] == 0


@pytest.mark.django_db
def test_the_endpoints_are_in_the_openapi_schema(ann):
    client = APIClient()
    client.force_login(ann)
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/exports/", "/api/exports/{id}/", "/api/exports/{id}/download/", "/api/usefulness-scores/",
            "/api/usefulness-scores/{id}/"} <= set(schema["paths"])
    assert "requestBody" in schema["paths"]["/api/exports/"]["post"]


@pytest.mark.django_db
def test_the_page_refuses_a_bad_request_with_a_form_error(digits_generator, ann, client):
    client.force_login(ann)
    assert client.get("/exports/").status_code == 200
    response = client.post("/exports/", {"generator": "digits-v1", "data_format": "idx", "per_class": "0",
                                         "seed": "0"})
    assert response.status_code == 400
    assert "images per class must be at least 1" in response.content.decode()
    assert not DatasetExport.objects.exists()


def _idx_members(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        images = gzip.decompress(zf.read("train-images-idx3-ubyte.gz"))
        labels = gzip.decompress(zf.read("train-labels-idx1-ubyte.gz"))
        manifest = json.loads(zf.read("manifest.json"))
        readme = zf.read("README.md").decode()
    return images, labels, manifest, readme


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_export_runs_in_the_worker_lands_as_a_download_and_imports_back(
        celery_worker, default_generators, ann, bob, tmp_path):
    api = client_for(ann)
    response = api.post(API, {"generator": "tiny-digits", "per_class": 30, "seed": 5, "data_format": "idx"},
                        format="json")
    assert response.status_code == 202, response.content
    body = wait_until_done(api, response.json()["url"])
    assert body["status"] == "succeeded", body["error_message"]
    assert body["progress"] == 1.0 and body["total_images"] == 300

    download = api.get(body["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    data = b"".join(download.streaming_content)
    assert client_for(bob).get(body["download_url"]).status_code == 404
    images, labels, manifest, readme = _idx_members(data)
    assert struct.unpack(">IIII", images[:16]) == (0x0803, 300, 28, 28)
    assert struct.unpack(">II", labels[:8]) == (0x0801, 300)
    assert np.bincount(np.frombuffer(labels[8:], np.uint8)).tolist() == [30] * 10
    assert manifest["generator"]["name"] == "tiny-digits" and manifest["seed"] == 5
    assert manifest["generator"]["version"] == default_generators["digits"].weights_sha256
    assert body["manifest"]["files"] == manifest["files"] and "tiny-digits" in readme

    # the same request again gives the same file, byte for byte
    again = wait_until_done(api, api.post(API, {"generator": "tiny-digits", "per_class": 30, "seed": 5},
                                          format="json").json()["url"])
    assert again["file_sha256"] == body["file_sha256"]

    # round trip: the downloaded ZIP goes through the ordinary dataset import
    (tmp_path / "mine.zip").write_bytes(data)
    call_command("import_dataset", "export", str(tmp_path / "mine.zip"), "--name", "round trip",
                 stdout=io.StringIO())
    dataset = Dataset.objects.get(name="round trip")
    assert dataset.source_format == "export" and dataset.kind == "digits" and dataset.charset == "digits"
    assert dataset.total_examples == 300
    assert {k: sum(h[k] for h in dataset.class_histogram.values()) for k in "0123456789"} == {
        str(d): 30 for d in range(10)}
    from generator_app.services.datasets import dataset_root, delete_dataset
    from ml.data.stored import load_stored

    stored = load_stored(dataset_root(dataset))
    got = sorted(im.tobytes() for split in stored.values() for im in split.images)
    want = sorted(np.frombuffer(images[16:], np.uint8).reshape(300, 28 * 28)[i].tobytes() for i in range(300))
    assert got == want

    delete_dataset(dataset=dataset)
    for export in DatasetExport.objects.all():
        delete_export(export=export)


@pytest.mark.django_db
def test_a_failing_export_ends_failed_with_the_reason(digits_generator, ann, monkeypatch):
    from generator_app.worker import dataset_exports

    export = DatasetExport.objects.create(owner=ann, generator=digits_generator, per_class=1, total_images=10,
                                          seed=0, class_counts={str(d): 1 for d in range(10)})

    def broken(export):
        raise ValueError("the weights file is not a Keras model")

    monkeypatch.setattr(dataset_exports, "_draw_and_save", broken)
    assert dataset_exports.run_export(export_id=export.pk) == JobStatus.FAILED
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED and "not a Keras model" in export.error_message
    assert dataset_exports.run_export(export_id=export.pk) == JobStatus.FAILED  # a redelivery changes nothing
