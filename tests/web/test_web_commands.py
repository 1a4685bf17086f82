"""Start-up commands: the first admin and the shipped generators."""

import hashlib
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from generator_app.models import GeneratorModel

pytestmark = pytest.mark.django_db


def test_first_admin_with_password_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("HANDGEN_ADMIN_PASSWORD", "chosen-by-the-operator")
    call_command("ensure_admin")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("chosen-by-the-operator")
    assert "chosen-by-the-operator" not in capsys.readouterr().out  # never echoed


def test_first_admin_with_a_generated_password_printed_once(monkeypatch, capsys):
    monkeypatch.delenv("HANDGEN_ADMIN_PASSWORD", raising=False)
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    assert get_user_model().objects.get(username="admin").check_password(password)
    call_command("ensure_admin")
    assert password not in capsys.readouterr().out
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def write_generator(
    folder, *, name="digits-test-v1", charset="digits", default=True, weights=b"fake weights"
):
    folder.mkdir(parents=True)
    (folder / "generator.keras").write_bytes(weights)
    (folder / "MODEL_CARD.md").write_text("# digits\nTrained on MNIST.")
    manifest = {
        "kind": "generator", "name": name, "charset": charset, "architecture": "cgan-strong",
        "weights": "generator.keras", "sha256": hashlib.sha256(weights).hexdigest(),
        "metrics": {"fid": 12.5}, "model_card": "MODEL_CARD.md", "default": default,
    }  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return manifest


def test_register_pretrained_with_nothing_shipped(tmp_path, capsys):
    call_command("register_pretrained", "--directory", str(tmp_path / "absent"))
    assert "no pretrained generators" in capsys.readouterr().out
    assert not GeneratorModel.objects.exists()


def test_register_pretrained_is_idempotent_and_keeps_the_admins_default(tmp_path, media_root):
    write_generator(tmp_path / "digits")
    write_generator(tmp_path / "letters", name="letters-test-v1", charset="letters", default=False)
    (tmp_path / "evaluator").mkdir()
    (tmp_path / "evaluator" / "manifest.json").write_text('{"kind": "evaluator", "name": "e"}')
    call_command("register_pretrained", "--directory", str(tmp_path))
    digits = GeneratorModel.objects.get(name="digits-test-v1")
    assert digits.is_default and digits.is_pretrained and digits.metrics_summary == {"fid": 12.5}
    assert digits.weights.read() == b"fake weights" and "MNIST" in digits.model_card
    assert not GeneratorModel.objects.get(name="letters-test-v1").is_default
    assert GeneratorModel.objects.count() == 2

    GeneratorModel.objects.filter(pk=digits.pk).update(is_default=False)  # an admin's choice
    call_command("register_pretrained", "--directory", str(tmp_path))
    assert GeneratorModel.objects.count() == 2
    assert GeneratorModel.objects.default_for("digits") is None


def test_register_pretrained_reports_bad_manifests_and_registers_the_rest(tmp_path, media_root):
    manifest = write_generator(tmp_path / "a-broken")
    manifest["sha256"] = "0" * 64
    (tmp_path / "a-broken" / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "b-not-json").mkdir()
    (tmp_path / "b-not-json" / "manifest.json").write_text("{oops")
    write_generator(tmp_path / "c-good", name="good-v1")
    with pytest.raises(CommandError) as caught:
        call_command("register_pretrained", "--directory", str(tmp_path))
    message = str(caught.value)
    assert "a-broken" in message and "sha256" in message and "b-not-json" in message
    assert list(GeneratorModel.objects.values_list("name", flat=True)) == ["good-v1"]


def test_register_pretrained_refuses_other_weights_under_a_known_name(tmp_path, media_root):
    write_generator(tmp_path / "v1")
    call_command("register_pretrained", "--directory", str(tmp_path))
    (tmp_path / "v1").rename(tmp_path / "old")
    write_generator(tmp_path / "v1", weights=b"retrained weights")
    with pytest.raises(CommandError, match="new name"):
        call_command("register_pretrained", "--directory", str(tmp_path))
