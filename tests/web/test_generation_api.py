"""Generation end to end through a real Celery worker on the ``generate`` queue, and who may see what."""

import io
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from generator_app.models import GenerationRequest, GenerationStatus
from generator_app.services.generation import fail_stale_generations
from generator_app.services.generation_files import SHEET_NAME, file_name

API = "/api/generations/"
WAIT_SECONDS = 420  # a cold worker first loads TensorFlow and the models: minutes on a CPU busy with training


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    cache.clear()


def client_for(user):
    """An API client as a script would use it: a token, also sent for the image URLs."""
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


def wait_until_done(api, url, timeout=WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.get(url).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"still {body['status']} after {timeout}s")


def generate(api, **body):
    response = api.post(API, body, format="json")
    assert response.status_code == 202, response.content
    return wait_until_done(api, response.json()["url"])


def fetch(api, url):
    response = api.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_text_becomes_an_image_through_the_worker_and_the_same_seed_gives_the_same_bytes(
    celery_worker, default_generators, ann, client, django_user_model
):
    api = client_for(ann)
    options = {"width": 600, "char_size": 40, "background": "transparent"}
    first = generate(api, text="Hello 2026, ok?", style_seed=42, options=options)
    assert first["status"] == "succeeded", first["error_message"]
    png = fetch(api, first["image_url"])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 600 and image.mode in ("P", "RGBA")
    assert fetch(api, first["svg_url"]).lstrip().startswith((b"<?xml", b"<svg"))
    assert fetch(api, first["pdf_url"]).startswith(b"%PDF")
    timings = first["timings"]
    for key in ("queue_ms", "draw_ms", "layout_ms", "render_ms", "save_ms", "total_ms"):
        assert timings[key] >= 0, key
    assert timings["draw_calls"] >= 2  # one per generator (digits and letters) at least
    assert first["model_versions"]["digits"]["generator"] == "tiny-digits"
    assert first["model_versions"]["letters-cased"]["sha256"] == default_generators["letters-cased"].weights_sha256

    again = generate(api, text="Hello 2026, ok?", style_seed=42, options=options)
    assert again["id"] != first["id"]
    assert fetch(api, again["image_url"]) == png  # byte for byte
    assert fetch(api, again["svg_url"]) == fetch(api, first["svg_url"])
    other_hand = generate(api, text="Hello 2026, ok?", style_seed=43, options=options)
    assert fetch(api, other_hand["image_url"]) != png

    staff = django_user_model.objects.create_user("staff", password="a-long-test-password", is_staff=True)
    client.force_login(staff)
    html = client.get(reverse("generation_glyphs", args=[first["id"]])).content.decode()
    assert html.count('class="glyph"') == len("Hello2026ok")  # one row with a glyph per drawn character
    assert "drawn by the renderer" in html and "11 characters drawn by generators" in html

    listing = api.get(API).json()
    assert [item["id"] for item in listing["results"]] == [other_hand["id"], again["id"], first["id"]]
    assert listing["count"] == 3 and "next" in listing  # paginated

    generation = GenerationRequest.objects.get(pk=first["id"])
    files = [generation.image.name, file_name(generation, SHEET_NAME)]
    assert all(default_storage.exists(name) for name in files)
    assert api.delete(first["url"]).status_code == 204
    assert api.get(first["url"]).status_code == 404
    assert api.get(first["image_url"]).status_code == 404
    assert not any(default_storage.exists(name) for name in files)
    assert celery_worker.logs().count("loading generator tiny-digits") <= 1  # loaded once, reused


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_failing_worker_ends_the_request_failed_with_a_message(celery_worker, default_generators, ann):
    """A generator whose metadata reads fine but whose model cannot load: the request fails, never hangs."""
    import zipfile

    from generator_app.services.pretrained import file_sha256

    broken = default_generators["digits"]
    source = default_storage.path(broken.weights.name)
    relative = "generators/broken-digits/model.keras"
    target = Path(default_storage.path(relative))
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as good, zipfile.ZipFile(target, "w") as bad:
        bad.writestr("handgen.json", good.read("handgen.json"))  # metadata only, no weights
    broken.name, broken.weights.name, broken.weights_sha256 = "broken-digits", relative, file_sha256(target)
    broken.save()

    api = client_for(ann)
    result = generate(api, text="12", style_seed=1)
    assert result["status"] == "failed"
    assert result["error_message"].startswith("Drawing failed:")
    assert result["image_url"] is None


@pytest.mark.django_db
def test_another_users_request_and_files_are_not_found(default_generators, ann, bob, client, monkeypatch):
    from generator_app import task_queue

    monkeypatch.setattr(task_queue, "send_task", lambda *a, **k: None)
    generation = GenerationRequest.objects.create(
        user=ann, text="12", style_seed=3, status=GenerationStatus.SUCCEEDED, finished_at=timezone.now(),
        image="generations/x/image.png",
    )  # fmt: skip
    api = client_for(bob)
    detail = f"{API}{generation.pk}/"
    assert api.get(detail).status_code == 404
    assert api.delete(detail).status_code == 404
    assert api.get(API).json()["count"] == 0
    client.force_login(bob)
    for name in ("generation_image", "generation_svg", "generation_pdf"):
        assert client.get(reverse(name, args=[generation.pk])).status_code == 404, name
    assert client.post(reverse("generation_delete", args=[generation.pk])).status_code == 404
    assert client.get(reverse("generation_glyphs", args=[generation.pk])).status_code == 403  # staff only
    assert "12" not in client.get(reverse("my_generations")).content.decode().split("<main>")[1]
    assert client.get(reverse("generation_image", args=[uuid.uuid4()])).status_code == 404
    assert api.get(reverse("generation_image", args=[generation.pk])).status_code == 404  # bob's token
    anonymous = APIClient().get(reverse("generation_image", args=[generation.pk]))
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    assert GenerationRequest.objects.filter(pk=generation.pk).exists()
    client.force_login(ann)
    assert client.get(reverse("generation_image", args=[generation.pk])).status_code == 404  # file missing: 404, not 500


@pytest.mark.django_db
def test_stale_requests_are_failed_with_a_reason(ann, settings):
    now = timezone.now()
    old = now - timedelta(seconds=settings.HANDGEN_GENERATION_PENDING_LIMIT + 5)
    pending = GenerationRequest.objects.create(user=ann, text="1", style_seed=1)
    GenerationRequest.objects.filter(pk=pending.pk).update(created_at=old)
    running = GenerationRequest.objects.create(user=ann, text="2", style_seed=1, status=GenerationStatus.RUNNING,
                                               started_at=now - timedelta(seconds=settings.HANDGEN_GENERATION_TIME_LIMIT + 60))  # fmt: skip
    fresh = GenerationRequest.objects.create(user=ann, text="3", style_seed=1)
    assert fail_stale_generations(now=now) == 2
    pending.refresh_from_db(), running.refresh_from_db(), fresh.refresh_from_db()
    assert pending.status == "failed" and "No worker picked this request up" in pending.error_message
    assert running.status == "failed" and "stopped before it finished" in running.error_message
    assert fresh.status == "pending"


@pytest.mark.django_db
def test_a_redelivered_running_request_fails_instead_of_looping(ann):
    from generator_app.worker.generation_run import run_generation

    generation = GenerationRequest.objects.create(
        user=ann, text="1", style_seed=1, status=GenerationStatus.RUNNING, started_at=timezone.now()
    )
    assert run_generation(generation_id=generation.pk) == "failed"
    generation.refresh_from_db()
    assert "stopped before it finished" in generation.error_message
    assert run_generation(generation_id=generation.pk) == "failed"  # a third delivery changes nothing
    assert run_generation(generation_id=uuid.uuid4()) == "deleted"


@pytest.mark.django_db
def test_of_two_workers_that_read_a_pending_request_only_the_first_update_claims_it(ann, monkeypatch):
    from generator_app.worker import generation_run

    generation = GenerationRequest.objects.create(user=ann, text="1", style_seed=1)
    real_now = timezone.now

    def another_worker_claims_it_meanwhile():
        GenerationRequest.objects.filter(pk=generation.pk).update(status=GenerationStatus.RUNNING, started_at=real_now())
        return real_now()

    monkeypatch.setattr(generation_run.timezone, "now", another_worker_claims_it_meanwhile)
    assert generation_run._claim(generation.pk) is None  # read pending, but the update found it running
    monkeypatch.undo()
    generation.refresh_from_db()
    assert generation.status == "running" and not generation.error_message  # the other worker's claim stands


@pytest.mark.slow
@pytest.mark.django_db
def test_drawing_in_process_succeeds_and_a_request_deleted_meanwhile_leaves_no_files(default_generators, ann,
                                                                                     monkeypatch):  # fmt: skip
    from generator_app.worker import generation_run

    done = GenerationRequest.objects.create(user=ann, text="Hi 7.", style_seed=5)
    assert generation_run.run_generation(generation_id=done.pk) == "succeeded"
    done.refresh_from_db()
    assert done.status == "succeeded" and done.finished_at and default_storage.exists(done.image.name)
    assert done.timings["total_ms"] >= done.timings["work_ms"] > 0 and done.timings["glyphs_drawn"] == 3
    assert done.model_versions["digits"]["generator"] == "tiny-digits"

    gone = GenerationRequest.objects.create(user=ann, text="Hi 7.", style_seed=5)
    from ml.page import Page

    real_png = Page.png

    def render_while_the_user_deletes(page):
        GenerationRequest.objects.filter(pk=gone.pk).delete()
        return real_png(page)

    monkeypatch.setattr(Page, "png", render_while_the_user_deletes)
    assert generation_run.run_generation(generation_id=gone.pk) == "deleted"
    assert not default_storage.exists(file_name(gone, "image.png"))
    assert not default_storage.exists(file_name(gone, SHEET_NAME))


@pytest.mark.django_db
def test_polling_a_request_no_worker_took_ends_it_failed(ann, settings):
    generation = GenerationRequest.objects.create(user=ann, text="1", style_seed=1)
    old = timezone.now() - timedelta(seconds=settings.HANDGEN_GENERATION_PENDING_LIMIT + 5)
    GenerationRequest.objects.filter(pk=generation.pk).update(created_at=old)
    body = client_for(ann).get(f"{API}{generation.pk}/").json()
    assert body["status"] == "failed" and "No worker picked this request up within 15 minutes" in body["error_message"]
