"""One generation budget for the page and the API, held across processes; every API read and
anonymous client throttled; sign-up posts limited per address."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.web.conftest import PROJECT_ROOT, database_url

PAGE_FORM = {"text": "12", "width": 800, "char_size": 48, "letter_spacing": 0.08, "line_spacing": 1.3, "slant": 0,
             "jitter": 0.3, "ink": "#1a1a6e", "background": "white"}  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**changed):
        rates = {"anon": "60/minute", "user": "600/minute", "generate": "30/minute", "signup": "10/hour"}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates | changed)

    return set_rates


@pytest.fixture
def queued(sent_tasks):
    from generator_app import task_queue

    return sent_tasks[task_queue.GENERATE_TEXT]


@pytest.fixture
def writer(django_user_model):
    return django_user_model.objects.create_user("writer", password="a-long-test-password")


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_page_spends_the_apis_generation_budget_and_back(
    rates, writer, client, django_user_model, default_generators, queued
):
    rates(generate="2/minute")
    api = api_for(writer)
    assert [api.post("/api/generations/", {"text": "12"}, format="json").status_code for _ in range(2)] == [202, 202]
    client.force_login(writer)
    page = client.post(reverse("generate"), PAGE_FORM)
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "Too many requests: try again in" in page.content.decode()

    other = django_user_model.objects.create_user("other", password="a-long-test-password")
    client.force_login(other)
    assert [client.post(reverse("generate"), PAGE_FORM).status_code for _ in range(2)] == [302, 302]
    assert api_for(other).post("/api/generations/", {"text": "12"}, format="json").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_the_budget_holds_across_processes(rates, writer, client, default_generators, queued):
    """Another process (another gunicorn worker) spends it; this one sees it spent."""
    if not settings.REDIS_URL:
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    rates(generate="3/minute")
    code = (
        "import django, sys; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.test import RequestFactory\n"
        "from generator_app.throttles import GenerationCreateThrottle\n"
        "request = RequestFactory().post('/api/generations/')\n"
        "request.user = get_user_model().objects.get(pk=int(sys.argv[1]))\n"
        "print(sum(GenerationCreateThrottle().allow_request(request, None) for _ in range(3)))\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict), "HANDGEN_GENERATE_RATE": "3/minute",
           "DJANGO_SETTINGS_MODULE": "handgen_site.settings"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", code, str(writer.pk)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "3"
    client.force_login(writer)
    assert client.post(reverse("generate"), PAGE_FORM).status_code == 429
    assert queued == []


def test_every_api_read_is_throttled_per_user(rates, writer):
    rates(user="3/minute")
    api = api_for(writer)
    for url in ("/api/datasets/", "/api/runs/", "/api/schema/"):
        caches["request_rates"].clear()
        codes = [api.get(url).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429], url


def test_anonymous_clients_are_throttled_per_address(rates):
    rates(anon="3/minute")
    api = APIClient()
    codes = [api.get("/api/runs/").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert APIClient(REMOTE_ADDR="10.0.0.9").get("/api/runs/").status_code == 401  # another address


def test_signup_posts_are_limited_per_address(rates, settings, client, django_user_model):
    settings.HANDGEN_ALLOW_SIGNUP = True
    rates(signup="2/hour")
    form = {"username": "mass", "password1": "short", "password2": "short"}
    assert [client.post(reverse("signup"), form).status_code for _ in range(2)] == [200, 200]  # form errors
    good = {"username": "mass", "password1": "a-long-new-password", "password2": "a-long-new-password"}
    refused = client.post(reverse("signup"), good)
    assert refused.status_code == 429 and "Too many requests" in refused.content.decode()
    assert not django_user_model.objects.filter(username="mass").exists()


def test_token_guesses_are_throttled_per_address(rates):
    rates(anon="3/minute")
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert [guesser.get("/api/generations/").status_code for _ in range(4)] == [401, 401, 401, 429]
