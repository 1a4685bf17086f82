"""Who may see what: anonymous visitors, signed-in users, staff."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROTECTED_PAGES = ["generate", "my_generations", "runs", "password_change", "api-docs", "api-redoc"]
API_URLS = ["/api/", "/api/datasets/", "/api/runs/", "/api/runs/1/", "/api/runs/1/metrics/", "/api/schema/"]


@pytest.fixture
def signed_in(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="a-long-test-password")
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", PROTECTED_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_sample_images_need_sign_in(client):
    response = client.get(reverse("sample_grid_image", args=[1]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_landing_and_sign_in_are_public(client):
    landing = client.get("/")
    assert landing.status_code == 200 and b"Sign in" in landing.content
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.parametrize("url", API_URLS)
def test_anonymous_api_clients_get_401(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_signed_in_users_see_the_pages_and_navigation(signed_in):
    for name in ["landing", "generate", "my_generations", "runs", "password_change", "api-docs"]:
        assert signed_in.get(reverse(name)).status_code == 200, name
    html = signed_in.get("/").content.decode()
    for label in ["Generate", "My generations", "Runs", "Sign out"]:
        assert label in html
    assert reverse("admin:index") not in html  # not staff


def test_staff_see_the_admin_link_and_the_admin(admin_client):
    assert reverse("admin:index") in admin_client.get("/").content.decode()
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_non_staff_cannot_use_the_admin(signed_in):
    response = signed_in.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_sign_in_and_sign_out(client, django_user_model):
    django_user_model.objects.create_user("ann", password="a-long-test-password")
    response = client.post(reverse("login"), {"username": "ann", "password": "a-long-test-password"})
    assert response.status_code == 302 and response["Location"] == reverse("landing")
    assert client.get(reverse("runs")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # sign-out is a POST (CSRF-protected)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("runs")).status_code == 302


def test_wrong_password_is_a_form_error(client, django_user_model):
    django_user_model.objects.create_user("ann", password="a-long-test-password")
    response = client.post(reverse("login"), {"username": "ann", "password": "nope"})
    assert response.status_code == 200 and b"correct username and password" in response.content


def test_password_change(signed_in):
    response = signed_in.post(reverse("password_change"), {
        "old_password": "a-long-test-password", "new_password1": "another-long-pass-42",
        "new_password2": "another-long-pass-42"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")


def test_sign_up_is_closed_by_default(client):
    assert client.get(reverse("signup")).status_code == 404
    assert b"Sign up" not in client.get("/").content


def test_sign_up_when_enabled(client, settings, django_user_model):
    settings.HANDGEN_ALLOW_SIGNUP = True
    assert client.get(reverse("signup")).status_code == 200
    weak = client.post(reverse("signup"), {"username": "bo", "password1": "123", "password2": "123"})
    assert weak.status_code == 200 and not django_user_model.objects.filter(username="bo").exists()
    response = client.post(reverse("signup"), {
        "username": "bo", "password1": "a-long-test-password", "password2": "a-long-test-password"})  # fmt: skip
    assert response.status_code == 302
    user = django_user_model.objects.get(username="bo")
    assert not user.is_staff
    assert client.get(reverse("runs")).status_code == 200  # signed in straight away


def test_runs_page_lists_runs_and_filters_by_status(client, sample_objects):
    client.force_login(sample_objects["user"])
    html = client.get(reverse("runs")).content.decode()
    assert "baseline" in html and "2/3" in html and "mnist" in html
    assert "baseline" not in client.get(reverse("runs"), {"status": "failed"}).content.decode()
    bad = client.get(reverse("runs"), {"status": "exploded"})
    assert bad.status_code == 400 and "exploded" in bad.content.decode()


def test_my_generations_shows_only_my_requests(client, sample_objects, django_user_model):
    other = django_user_model.objects.create_user("other")
    client.force_login(other)
    assert "hello 2026" not in client.get(reverse("my_generations")).content.decode()
    client.force_login(sample_objects["user"])
    assert "hello 2026" in client.get(reverse("my_generations")).content.decode()
