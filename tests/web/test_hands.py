"""A user's own hand through the web app and a real worker: template, upload, review, learn, write, privacy."""

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from generator_app.models import Hand, HandGlyph, HandSheet, HandStatus, SheetStatus
from generator_app.services.hands import create_hand, start_learning
from tests.web.test_generation_api import client_for, fetch, generate

WRITTEN = "17aBQ"  # the boxes the test fills (both samples of each)


def _sheet_photo(**conditions) -> bytes:
    """A simulated phone photo of the template with a few characters written in (drawn here)."""
    from ml.hands.sheet_image import render_sheet, write_glyph
    from ml.hands.simulate import PhotoConditions, photograph
    from ml.hands.template import layout

    sheet = render_sheet()
    for ch in WRITTEN:
        for box in layout().boxes_for(ch):
            glyph = np.zeros((28, 28), np.uint8)
            cv2.putText(glyph, ch, (6 + box.sample, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, 2, cv2.LINE_AA)
            write_glyph(sheet, box, glyph)
    return photograph(sheet, seed=2, conditions=PhotoConditions(**conditions))


def wait_for(fetch_status, done, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = fetch_status()
        if status in done:
            return status
        time.sleep(0.2)
    raise AssertionError(f"still {status} after {timeout}s")


@pytest.fixture
def ann(django_user_model):
    return django_user_model.objects.create_user("ann", password="a-long-test-password")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="a-long-test-password")


@pytest.mark.django_db
def test_template_pdf_is_served_to_a_signed_in_user(client, ann):
    client.force_login(ann)
    response = client.get(reverse("hand_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "message"), [
    (b"just some text", "not a JPEG or PNG"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "HEIC"),
    (b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024), "at most 20 MB"),
])  # fmt: skip
def test_a_file_that_cannot_be_a_sheet_is_refused_and_nothing_is_stored(client, ann, content, message):
    client.force_login(ann)
    hand = create_hand(owner=ann, name="mine")
    upload = SimpleUploadedFile("sheet.jpg", content, content_type="image/jpeg")
    response = client.post(reverse("hand_upload", args=[hand.pk]), {"image": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HandSheet.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "hands" / hand.pk.hex).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_blurry_photo_ends_failed_with_the_reason_and_keeps_nothing(celery_worker, client, ann):
    client.force_login(ann)
    hand = create_hand(owner=ann, name="blurry")
    upload = SimpleUploadedFile("sheet.jpg", _sheet_photo(blur=7.0), content_type="image/jpeg")
    assert client.post(reverse("hand_upload", args=[hand.pk]), {"image": upload}).status_code == 302
    sheet = HandSheet.objects.get(hand=hand)
    stored = Path(settings.MEDIA_ROOT) / sheet.image.name
    assert stored.exists()
    wait_for(lambda: HandSheet.objects.get(pk=sheet.pk).status, {SheetStatus.DONE, SheetStatus.FAILED})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.FAILED and "too blurry" in sheet.error_message
    assert not HandGlyph.objects.exists() and not stored.exists() and not sheet.image
    assert "too blurry" in client.get(reverse("hand_detail", args=[hand.pk])).content.decode()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_photo_to_glyphs_to_a_learned_hand_to_text_in_it_and_private_to_its_owner(
    celery_worker, default_generators, client, ann, bob
):
    client.force_login(ann)
    hand = create_hand(owner=ann, name="my hand")
    upload = SimpleUploadedFile("sheet.jpg", _sheet_photo(), content_type="image/jpeg")
    assert client.post(reverse("hand_upload", args=[hand.pk]), {"image": upload}).status_code == 302
    wait_for(lambda: HandSheet.objects.get(hand=hand).status, {SheetStatus.DONE, SheetStatus.FAILED})
    assert HandSheet.objects.get(hand=hand).status == SheetStatus.DONE
    glyphs = HandGlyph.objects.filter(hand=hand)
    assert sorted(g.char for g in glyphs) == sorted(WRITTEN * 2)
    page = client.get(reverse("hand_detail", args=[hand.pk])).content.decode()
    assert page.count('alt="1"') == 2 and "default hand" in page and "Z" in page.split('id="fallback"')[1][:200]

    dropped = glyphs.get(char="Q", sample=1)
    client.post(reverse("hand_glyph", args=[hand.pk, dropped.pk]), {"dropped": "1"})
    dropped.refresh_from_db()
    assert dropped.dropped

    start_learning(hand=hand, config={"steps": 3, "batch_size": 8})
    wait_for(lambda: Hand.objects.get(pk=hand.pk).status, {HandStatus.READY, HandStatus.FAILED}, timeout=600)
    hand.refresh_from_db()
    assert hand.status == HandStatus.READY, hand.error_message
    assert hand.generators["digits"]["chars"] == ["1", "7"]
    assert hand.generators["letters-cased"]["chars"] == ["B", "Q", "a"]
    files = [Path(settings.MEDIA_ROOT) / spec["file"] for spec in hand.generators.values()]
    assert all(f.is_file() for f in files)
    record = hand.adaptation["digits"]
    assert record["seed"] == 0 and record["config"]["steps"] == 3 and "keras" in record["versions"]
    assert 0.0 <= record["metrics"]["guide_accuracy"] <= 1.0

    api = client_for(ann)
    first = generate(api, text="17 aB Zz", style_seed=5, hand=str(hand.pk))
    assert first["status"] == "succeeded", first["error_message"]
    assert first["hand"] == str(hand.pk)
    assert first["model_versions"]["digits"]["hand"]["chars"] == "17"
    again = generate(api, text="17 aB Zz", style_seed=5, hand=str(hand.pk))
    default = generate(api, text="17 aB Zz", style_seed=5)
    image = fetch(api, first["image_url"])
    assert fetch(api, again["image_url"]) == image
    assert fetch(api, default["image_url"]) != image  # the learned characters are drawn differently

    other = client_for(bob)
    response = other.post("/api/generations/", {"text": "17", "hand": str(hand.pk)}, format="json")
    assert response.status_code == 400 and "No such hand" in response.json()["hand"][0]
    client.force_login(bob)
    for name in ("hand_detail", "hand_learn", "hand_delete"):
        method = client.get if name == "hand_detail" else client.post
        assert method(reverse(name, args=[hand.pk])).status_code == 404
    assert "my hand" not in client.get(reverse("hands")).content.decode()

    client.force_login(ann)
    assert client.post(reverse("hand_rename", args=[hand.pk]), {"name": "neat"}).status_code == 302
    assert client.post(reverse("hand_delete", args=[hand.pk])).status_code == 302
    assert not Hand.objects.filter(pk=hand.pk).exists()
    assert not any(f.exists() for f in files)


def test_hand_pages_and_the_pdf_load_neither_opencv_nor_keras_in_the_web_process():
    import json
    import subprocess
    import sys

    script = (
        "import json, sys\nimport handgen_site.wsgi\nfrom django.urls import get_resolver\n"
        "get_resolver().url_patterns\nfrom generator_app.views.hands import template_pdf\n"
        "import generator_app.selectors.hands, generator_app.services.hands\ntemplate_pdf()\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "reportlab" in loaded  # the PDF really was drawn
    assert not loaded & {"cv2", "keras", "tensorflow", "jax"}


def _hand_with_glyphs(owner, chars, name="quick"):
    hand = create_hand(owner=owner, name=name)
    sheet = HandSheet.objects.create(hand=hand, status=SheetStatus.DONE)
    for k, ch in enumerate(chars):
        HandGlyph.objects.create(hand=hand, sheet=sheet, char=ch, sample=k, pixels=bytes(784))
    return hand


@pytest.mark.django_db
def test_a_queued_hand_cancelled_is_never_learned(ann, default_generators):
    from generator_app.services.hands import cancel_learning
    from generator_app.worker.hand_learning import learn_hand

    hand = _hand_with_glyphs(ann, "17")
    with pytest.MonkeyPatch.context() as patch:  # no broker needed: the message is what we test away
        patch.setattr("generator_app.services.hands._send", lambda *a, **k: None)
        start_learning(hand=hand)
    assert Hand.objects.get(pk=hand.pk).status == HandStatus.QUEUED
    assert cancel_learning(hand=hand).status == HandStatus.CANCELLED
    assert learn_hand(hand_id=hand.pk) == HandStatus.CANCELLED  # a late message does nothing
    assert Hand.objects.get(pk=hand.pk).generators == {}


@pytest.mark.django_db
def test_learning_with_no_letter_or_digit_ends_failed_with_the_reason(ann, default_generators):
    from generator_app.worker.hand_learning import learn_hand

    hand = _hand_with_glyphs(ann, "!?")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("generator_app.services.hands._send", lambda *a, **k: None)
        start_learning(hand=hand)
    assert learn_hand(hand_id=hand.pk) == HandStatus.FAILED
    hand.refresh_from_db()
    assert "none of the kept glyphs is a letter or digit" in hand.error_message
    assert not (Path(settings.MEDIA_ROOT) / "hands" / hand.pk.hex).exists() or not any(
        (Path(settings.MEDIA_ROOT) / "hands" / hand.pk.hex).iterdir())


@pytest.mark.django_db
def test_learning_needs_kept_glyphs(ann):
    from django.core.exceptions import ValidationError

    hand = create_hand(owner=ann, name="empty")
    with pytest.raises(ValidationError, match="no glyphs to learn from"):
        start_learning(hand=hand)


@pytest.fixture
def no_broker(monkeypatch):
    sent = []
    monkeypatch.setattr("generator_app.services.hands._send", lambda name, pk, **kw: sent.append((name, pk)))
    return sent


@pytest.mark.django_db
def test_the_hand_posts_that_queue_work_spend_the_generation_budget(client, ann, bob, monkeypatch, no_broker):
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"generate": "1/minute", "user": "600/minute"})
    hand = _hand_with_glyphs(ann, "17")
    client.force_login(ann)
    assert client.post(reverse("hands"), {"name": "second"}).status_code == 302  # the one allowed
    for route, data in [(reverse("hands"), {"name": "third"}),
                        (reverse("hand_upload", args=[hand.pk]), {"image": SimpleUploadedFile("s.png", b"\x89PNG")}),
                        (reverse("hand_learn", args=[hand.pk]), {})]:  # fmt: skip
        response = client.post(route, data)
        assert response.status_code == 429 and int(response["Retry-After"]) > 0, route
        assert "Too many requests: try again in" in response.content.decode(), route
    assert not Hand.objects.filter(name="third").exists() and HandSheet.objects.count() == 1  # the glyphs' own
    assert Hand.objects.get(pk=hand.pk).status == HandStatus.DRAFT
    client.force_login(bob)  # a budget per user
    assert client.post(reverse("hands"), {"name": "bobs"}).status_code == 302
    cache.clear()


@pytest.mark.django_db
def test_one_hand_learns_at_a_time_per_owner(client, ann, bob, no_broker):
    from django.core.cache import cache

    cache.clear()
    first = _hand_with_glyphs(ann, "17")
    start_learning(hand=first)
    second = _hand_with_glyphs(ann, "28", name="second")
    client.force_login(ann)
    response = client.post(reverse("hand_learn", args=[second.pk]))
    assert response.status_code == 400
    assert "Another of your hands is already learning" in response.content.decode()
    assert Hand.objects.get(pk=second.pk).status == HandStatus.DRAFT
    start_learning(hand=_hand_with_glyphs(bob, "39"))  # another owner is not held up
    Hand.objects.filter(pk=first.pk).update(status=HandStatus.READY)
    assert start_learning(hand=Hand.objects.get(pk=second.pk)).status == HandStatus.QUEUED
    cache.clear()


LEARNED = {"digits": {"file": "hands/x/digits-1.keras", "sha256": "0" * 64, "base": "digits", "chars": ["1", "7"]}}


@pytest.mark.django_db
def test_a_ready_hand_relearned_then_cancelled_goes_back_to_ready_with_its_generators(client, ann, no_broker):
    from generator_app.services.generation import check_hand
    from generator_app.services.hands import cancel_learning

    hand = _hand_with_glyphs(ann, "17")
    Hand.objects.filter(pk=hand.pk).update(status=HandStatus.READY, generators=LEARNED)
    start_learning(hand=Hand.objects.get(pk=hand.pk))
    hand = cancel_learning(hand=hand)
    assert hand.status == HandStatus.READY and hand.generators == LEARNED and not hand.cancel_requested
    assert "cancelled" in hand.error_message and "still writes as it learned before" in hand.error_message
    assert check_hand(ann, hand) == hand
    client.force_login(ann)
    assert "Learning was cancelled." in client.get(reverse("hand_detail", args=[hand.pk])).content.decode()
    start_learning(hand=hand)
    assert Hand.objects.get(pk=hand.pk).error_message == ""  # a new run clears it


@pytest.mark.django_db
def test_a_ready_hand_whose_relearning_fails_stays_ready_and_says_why(ann, default_generators, no_broker):
    from generator_app.worker.hand_learning import learn_hand

    hand = _hand_with_glyphs(ann, "!?")
    Hand.objects.filter(pk=hand.pk).update(status=HandStatus.READY, generators=LEARNED)
    start_learning(hand=Hand.objects.get(pk=hand.pk))
    assert learn_hand(hand_id=hand.pk) == HandStatus.READY
    hand.refresh_from_db()
    assert hand.generators == LEARNED
    assert "none of the kept glyphs is a letter or digit" in hand.error_message


@pytest.mark.django_db
@pytest.mark.parametrize(("size", "message"), [
    ((9000, 9000), "The image is 9000x9000 pixels; at most 60 million pixels"),
    ((20000, 20000), "The image is far too large; at most 60 million pixels"),
])  # fmt: skip
def test_a_small_png_declaring_a_huge_image_is_refused_before_it_is_stored(client, ann, size, message):
    import io

    from PIL import Image

    from generator_app.services.hands import MAX_SHEET_PIXELS
    from ml.hands.extract import MAX_PIXELS

    assert MAX_SHEET_PIXELS == MAX_PIXELS  # the worker's limit, checked on the web side too
    out = io.BytesIO()
    Image.new("1", size).save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < 100_000
    client.force_login(ann)
    hand = create_hand(owner=ann, name="mine")
    upload = SimpleUploadedFile("sheet.png", out.getvalue(), content_type="image/png")
    response = client.post(reverse("hand_upload", args=[hand.pk]), {"image": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HandSheet.objects.exists()


@pytest.mark.django_db
def test_a_sheet_photo_within_the_pixel_limit_is_stored(client, ann, no_broker):
    client.force_login(ann)
    hand = create_hand(owner=ann, name="mine")
    photo = SimpleUploadedFile("sheet.jpg", _sheet_photo(), content_type="image/jpeg")
    assert client.post(reverse("hand_upload", args=[hand.pk]), {"image": photo}).status_code == 302
    assert HandSheet.objects.filter(hand=hand).count() == 1
