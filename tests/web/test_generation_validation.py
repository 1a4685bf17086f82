"""What may be written: each bad input is a 400 naming the problem, and nothing is saved or queued."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from generator_app.models import GenerationRequest

API = "/api/generations/"


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("writer", password="a-long-test-password")


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def queued(sent_tasks):
    """Every task message the service tries to send (none is sent)."""
    from generator_app import task_queue

    return sent_tasks[task_queue.GENERATE_TEXT]


def post(api, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return api.post(API, body, format="json")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"text": ""}, "text", "Type some text to write."),
        ({"text": "   \n  "}, "text", "Type some text to write."),
        ({}, "text", "This field is required."),
        ({"text": "a" * 1001}, "text", "The text is 1001 characters long; the limit is 1000."),
        ({"text": "héllo"}, "text", "This character cannot be written: 'é' at position 2."),
        (
            {"text": "a€b€\tc"},
            "text",
            "These characters cannot be written: '€' at positions 2, 4; tab at position 5.",
        ),
        ({"text": "x", "style_seed": -1}, "style_seed", "Ensure this value is greater than or equal to 0."),
        ({"text": "x", "style_seed": 2**31}, "style_seed", "less than or equal to 2147483647"),
        ({"text": "x", "options": {"font": "serif"}}, "options", "Unknown option(s): font."),
        ({"text": "x", "options": {"width": 50}}, "options", "width must be between 200 and 4000, got 50."),
        ({"text": "x", "options": {"char_size": 500}}, "options", "char_size must be between 16 and 200"),
        ({"text": "x", "options": {"ink": "blue"}}, "options", "ink must be a hex colour"),
        ({"text": "x", "options": {"background": "red"}}, "options", "background must be one of white, transparent"),
        ({"text": "x", "options": {"jitter": 3}}, "options", "jitter must be between 0.0 and 1.0, got 3"),
        ({"text": "x", "options": {"seed": 4}}, "options", "Unknown option(s): seed."),
        ({"text": "x", "options": "big"}, "options", "Expected a dictionary"),
    ],
)
def test_bad_input_is_a_400_with_its_message_and_nothing_is_queued(
    api, default_generators, queued, django_capture_on_commit_callbacks, body, field, message
):
    response = post(api, body, django_capture_on_commit_callbacks)
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field])
    assert not GenerationRequest.objects.exists()
    assert queued == []


def test_many_bad_characters_are_all_listed_with_positions(api, default_generators, queued, django_capture_on_commit_callbacks):
    response = post(api, {"text": "ab{c}d<>é"}, django_capture_on_commit_callbacks)
    message = response.json()["text"][0]
    for part in ["'{' at position 3", "'}' at position 5", "'<' at position 7", "'>' at position 8", "'é' at position 9"]:
        assert part in message
    assert "Supported: letters a–z and A–Z, digits 0–9, space, line breaks" in message


def test_valid_text_is_saved_and_queued_once_with_a_seed(api, default_generators, queued, django_capture_on_commit_callbacks):
    text = "Hello, World! 2026\n(it's \"fine\"): ok; yes-no?"
    response = post(api, {"text": text, "options": {"width": 800, "background": "transparent"}}, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    body = response.json()
    generation = GenerationRequest.objects.get()
    assert body["id"] == str(generation.pk) and body["status"] == "pending"
    assert body["url"].endswith(f"/api/generations/{generation.pk}/") and response["Location"] == body["url"]
    assert 0 <= body["style_seed"] <= 2**31 - 1 and body["style_seed"] == generation.style_seed
    assert body["image_url"] is None
    assert generation.options["width"] == 800 and generation.options["char_size"] == 48  # defaults stored
    assert queued == [{"args": [str(generation.pk)]}]


def test_crlf_counts_as_one_line_break(api, default_generators, queued, django_capture_on_commit_callbacks):
    response = post(api, {"text": "ab\r\n" * 250, "style_seed": 1}, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content  # 1000 characters once CRLF is one break
    assert GenerationRequest.objects.get().text == "ab\n" * 250


def test_without_generators_nothing_can_be_written(api, queued, django_capture_on_commit_callbacks):
    response = post(api, {"text": "hello"}, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "No handwriting generator is installed yet" in response.json()["text"][0]
    assert queued == []


def test_digits_only_site_rejects_letters(api, default_generators, queued, django_capture_on_commit_callbacks):
    default_generators["letters-cased"].delete()
    response = post(api, {"text": "20 ab"}, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "'a' at position 4; 'b' at position 5" in response.json()["text"][0]
    assert "letters" not in response.json()["text"][0].split("Supported:")[1]


def test_creating_is_throttled_per_user(api, monkeypatch, default_generators, queued, django_capture_on_commit_callbacks, django_user_model):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "60/minute", "user": "600/minute", "generate": "2/minute"})
    codes = [post(api, {"text": "12"}, django_capture_on_commit_callbacks).status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("other", password="a-long-test-password"))
    assert post(other, {"text": "12"}, django_capture_on_commit_callbacks).status_code == 202  # per user
    assert api.get(API).status_code == 200  # reading does not spend the create budget
    assert len(queued) == 3


def test_anonymous_clients_are_refused(client):
    assert client.post(API, {"text": "12"}, content_type="application/json").status_code == 401


def test_page_form_shows_the_same_errors_without_javascript(user, client, default_generators, queued):
    client.force_login(user)
    response = client.post(reverse("generate"), {"text": "naïve", "width": 1200, "char_size": 48, "letter_spacing": 0.08,
                                                 "line_spacing": 1.3, "slant": 0, "jitter": 0.3, "ink": "#1a1a6e",
                                                 "background": "white"})  # fmt: skip
    assert response.status_code == 400
    assert "This character cannot be written: &#x27;ï&#x27; at position 3." in response.content.decode()
    assert not GenerationRequest.objects.exists() and queued == []


def test_page_says_how_capitals_are_drawn(user, client, default_generators):
    client.force_login(user)
    html = client.get(reverse("generate")).content.decode()
    assert "Capitals are drawn as capitals, except for c k o p s u v w x y z" in html
    assert "typing o or O draws the same shape" in html


def test_page_says_when_capitals_are_not_distinguished(user, client, default_generators):
    cased = default_generators["letters-cased"]
    cased.charset = "letters"  # a case-merged generator registered under "letters"
    cased.save()
    from generator_app.services import generation_charsets
    from ml.data.charset import letters

    key = cased.weights_sha256
    generation_charsets._charset_cache[key] = letters()
    try:
        client.force_login(user)
        assert "Capitals are not distinguished" in client.get(reverse("generate")).content.decode()
    finally:
        generation_charsets._charset_cache.pop(key, None)


def test_page_without_generators_explains_and_disables_the_button(user, client):
    client.force_login(user)
    html = client.get(reverse("generate")).content.decode()
    assert "No handwriting generator is installed yet" in html
    assert 'id="generate-button" disabled' in html
