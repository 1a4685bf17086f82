"""Requests refused before anything reads them: over-long bodies, NUL bytes, deep JSON.

Each test would pass a request the server used to take (and spool, or crash on).
"""

import io
import json
import time

import pytest
from dataset_fixtures import handwriting_zip_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse
from rest_framework.test import APIClient

from generator_app.api.parsers import json_depth

MiB = 1024**2


@pytest.fixture
def spooled(monkeypatch, settings, tmp_path):
    """Every file Django starts spooling to disk for an upload, and the folder it would use."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    started = []
    original = TemporaryFileUploadHandler.new_file

    def new_file(self, *args, **kwargs):
        started.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", new_file)
    return started, tmp_path / "uploads"


def big_upload(size):
    return SimpleUploadedFile("big.bin", b"\0" * size, content_type="application/octet-stream")


@pytest.mark.django_db
def test_an_anonymous_upload_over_the_limit_is_refused_before_it_is_spooled(client, settings, spooled):
    settings.HANDGEN_MAX_REQUEST_BYTES = 1 * MiB
    started, folder = spooled
    response = client.post(reverse("login"), {"username": "x", "password": "y", "file": big_upload(3 * MiB)})
    assert response.status_code == 413
    assert "larger than this address accepts" in response.content.decode()
    assert started == [] and list(folder.iterdir()) == []


@pytest.mark.django_db
def test_a_body_under_the_limit_still_reaches_the_page(client, settings, spooled):
    settings.HANDGEN_MAX_REQUEST_BYTES = 4 * MiB
    started, _ = spooled
    response = client.post(reverse("login"), {"username": "x", "password": "y", "file": big_upload(3 * MiB)})
    assert response.status_code == 200 and started  # the sign-in form, with its error


@pytest.mark.django_db
def test_the_api_refuses_an_over_long_json_body(django_user_model, settings):
    settings.HANDGEN_MAX_REQUEST_BYTES = 64 * 1024
    api = APIClient()
    api.force_authenticate(django_user_model.objects.create_user("writer", password="a-long-test-password"))
    response = api.post("/api/generations/", {"text": "a" * 100_000}, format="json")
    assert response.status_code == 413


@pytest.mark.django_db
def test_the_dataset_upload_keeps_its_larger_limit_for_staff_only(admin_client, client, settings, media_root):
    settings.HANDGEN_MAX_REQUEST_BYTES = 64 * 1024
    route = reverse("admin:generator_app_dataset_upload")
    archive = handwriting_zip_bytes("ab", per_class=200)
    assert len(archive) > 64 * 1024
    settings.HANDGEN_LARGE_BODY_ROUTES = {"admin:generator_app_dataset_upload": len(archive) + 64 * 1024}

    def upload(as_client):
        data = {"archive": SimpleUploadedFile("hand.zip", archive), "source_format": "folder", "name": "",
                "charset": "letters-cased", "variants": 8}  # fmt: skip
        return as_client.post(route, data)

    assert upload(client).status_code == 413  # anonymous: the ordinary limit, not the admin's
    response = upload(admin_client)
    assert response.status_code == 302, response.content.decode()[:2000]
    settings.HANDGEN_LARGE_BODY_ROUTES = {"admin:generator_app_dataset_upload": 64 * 1024}
    assert upload(admin_client).status_code == 413


@pytest.mark.django_db
def test_a_sheet_photo_route_takes_a_larger_body_from_any_signed_in_user(client, django_user_model, settings):
    """The handwriting sheet upload is for every user, not only staff; still never for anonymous clients."""
    from generator_app.services.hands import create_hand

    settings.HANDGEN_MAX_REQUEST_BYTES = 64 * 1024
    settings.HANDGEN_SIGNED_IN_BODY_ROUTES = {"hand_upload": 2 * MiB}
    ann = django_user_model.objects.create_user("ann", password="a-long-test-password")
    route = reverse("hand_upload", args=[create_hand(owner=ann, name="mine").pk])
    photo = {"image": big_upload(1 * MiB)}
    assert client.post(route, photo).status_code == 413  # anonymous: the ordinary limit
    client.force_login(ann)
    response = client.post(route, {"image": big_upload(1 * MiB)})
    assert response.status_code != 413  # the view's own checks answer (not an image)
    assert client.post(route, {"image": big_upload(3 * MiB)}).status_code == 413


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/runs/?architecture=%00", "/runs/?architecture=%00", "/api/runs/?status=a%00b"])
def test_a_nul_byte_in_a_filter_is_a_400(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400 and "NUL" in response.content.decode()


@pytest.mark.django_db
def test_the_run_filters_refuse_a_nul_byte_themselves(django_db_blocker):
    """Behind the middleware, the selector is safe on its own (PostgreSQL would fail on it)."""
    from django.core.exceptions import ValidationError

    from generator_app.selectors.runs import parse_compare_ids, run_list

    with pytest.raises(ValidationError, match="architecture"):
        list(run_list(architecture="cgan\x00"))
    with pytest.raises(ValidationError, match="dataset"):
        list(run_list(dataset_id="²"))  # "²".isdigit() is true, int("²") fails
    with pytest.raises(ValidationError, match="run ids"):
        parse_compare_ids("1,²")


def nested(depth):
    return "[" * depth + "]" * depth


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth(b'{"text": "[[[[{{", "options": {"width": [1, [2]]}}') == 4
    assert json_depth(nested(5000).encode()) == 5000
    assert json_depth(b'"\\"[["') == 0


@pytest.mark.parametrize("body", [b'"' + b'\\"' * 400_000, b'"' * MiB, b'"' + b"\\" * MiB, b"[" * MiB])
def test_json_depth_takes_linear_time_on_a_body_at_the_request_limit(body):
    """Stripping strings with a regex retried at every quote took about an hour on the first body."""
    started = time.perf_counter()
    depth = json_depth(body, 64)
    assert time.perf_counter() - started < 1.0
    assert depth == (65 if body.startswith(b"[") else 0)  # stopped just past the limit


def test_json_depth_still_counts_nesting_around_escaped_quotes():
    assert json_depth(b'["a\\"]", [["x\\\\"]], {"k": "}}"}]') == 3
    assert json_depth(b'[' * 100 + b'"unterminated [[[', 50) == 51


@pytest.mark.django_db
def test_deeply_nested_json_is_a_400_not_a_crash(django_user_model):
    api = APIClient()
    api.force_authenticate(django_user_model.objects.create_user("writer", password="a-long-test-password"))
    body = '{"text": "hi", "options": ' + nested(5000) + "}"
    response = api.post("/api/generations/", body, content_type="application/json")
    assert response.status_code == 400 and "nested deeper than" in response.json()["detail"]
    shallow = api.post("/api/generations/", json.dumps({"text": "hi", "options": [[1]]}), content_type="application/json")
    assert shallow.status_code == 400 and "options" in shallow.json()  # parsed, then refused by the serializer


def test_an_unreadable_content_length_reads_no_body(rf):
    from handgen_site.request_guards import _content_length

    request = rf.post("/", data=io.BytesIO(b"x").read(), content_type="text/plain")
    request.META["CONTENT_LENGTH"] = "many"
    assert _content_length(request) == 0
