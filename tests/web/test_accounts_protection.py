"""Password guessing is stopped (django-axes), and the configured admin password is checked."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture
def ann(django_user_model):
    return django_user_model.objects.create_user("ann", password=PASSWORD)


def sign_in(client, path, password, username="ann"):
    return client.post(path, {"username": username, "password": password})


@pytest.mark.parametrize("path", [reverse("login"), reverse("admin:login")])
def test_repeated_wrong_passwords_lock_the_account_for_that_address(client, settings, ann, path):
    assert settings.AXES_FAILURE_LIMIT == 5
    codes = [sign_in(client, path, f"guess-{i}").status_code for i in range(settings.AXES_FAILURE_LIMIT - 1)]
    assert codes == [200] * 4  # the form again, with its error
    locked = sign_in(client, path, "guess-last")
    assert locked.status_code == 429 and "Too many sign-in attempts" in locked.content.decode()
    assert sign_in(client, path, PASSWORD).status_code == 429  # even the right password, for now
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_user_and_address(client, ann, django_user_model, settings):
    django_user_model.objects.create_user("bob", password=PASSWORD)
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, reverse("login"), f"guess-{i}")
    assert sign_in(client, reverse("login"), PASSWORD, username="bob").status_code == 302
    elsewhere = client.__class__(REMOTE_ADDR="10.1.2.3")
    assert sign_in(elsewhere, reverse("login"), PASSWORD).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, ann, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, reverse("login"), f"guess-{i}")
    assert sign_in(client, reverse("login"), PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, reverse("login"), "guess-again").status_code == 200


@pytest.mark.parametrize("weak", ["admin", "12345678901", "password1", "short"])
def test_a_weak_admin_password_from_the_environment_is_refused(monkeypatch, weak):
    monkeypatch.setenv("HANDGEN_ADMIN_PASSWORD", weak)
    with pytest.raises(CommandError, match="HANDGEN_ADMIN_PASSWORD is refused"):
        call_command("ensure_admin")
    assert not get_user_model().objects.exists()
