"""Writing with a hand after the default generator changed: the hand's own base draws the rest, or
the request fails saying to learn the hand again.

In this process, with the generators replaced by stand-ins that record which registered
generator was asked for: only the choice is tested here (no Keras is loaded), the drawing
itself is covered by test_hands.py in a real worker.
"""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from generator_app.models import GenerationRequest, GenerationStatus, GeneratorModel, Hand, HandStatus
from generator_app.services.generation_charsets import generator_charset
from generator_app.services.pretrained import file_sha256
from generator_app.worker import generation_run

PRETRAINED = Path(settings.HANDGEN_PRETRAINED_DIR)


def _register(name, *, is_default):
    relative = f"generators/{name}/model.keras"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PRETRAINED / name / "generator.keras", target)
    generator = GeneratorModel(name=name, charset="digits", architecture="cgan-strong",
                               weights_sha256=file_sha256(target), is_default=is_default)
    generator.weights.name = relative
    generator.full_clean()
    generator.save()
    return generator


class _StandIn:
    def __init__(self, model=None, latent_dim=64):
        self.model = model
        self.charset = generator_charset(model) if model is not None else None
        self.latent_dim = latent_dim


@pytest.fixture
def loads(monkeypatch):
    """Which registered generators the worker loaded, by name; the adapted file is a stand-in too."""
    names = []

    def generator_for(model):
        names.append(model.name)
        return _StandIn(model)

    monkeypatch.setattr(generation_run.model_cache, "generator_for", generator_for)
    monkeypatch.setattr(generation_run.model_cache, "generator_file", lambda name, sha256: _StandIn())
    monkeypatch.setattr(generation_run.model_cache, "reader_for", lambda charset: None)
    return names


def _request(user, base):
    hand = Hand.objects.create(owner=user, name="mine", status=HandStatus.READY, generators={
        "digits": {"chars": ["1", "7"], "base": base.name, "base_sha256": base.weights_sha256,
                   "file": "hands/x/digits.keras", "sha256": "ab" * 32},
    })  # fmt: skip
    return GenerationRequest.objects.create(user=user, text="17 0", style_seed=3, hand=hand)


@pytest.mark.django_db
def test_the_characters_a_hand_did_not_learn_are_drawn_by_its_own_base(media_root, django_user_model, loads):
    old = _register("digits-cgan-strong-v1", is_default=False)
    _register("digits-cgan-strong-v2", is_default=True)
    generation = _request(django_user_model.objects.create_user("ann"), old)
    drawn, _, versions = generation_run._load(generation, generation_run._Clock())

    assert loads == ["digits-cgan-strong-v2", "digits-cgan-strong-v1"]
    assert drawn["digits"]._inner._default._inner.model == old  # the fallback of the hand's drawer
    assert versions["digits"]["generator"] == "digits-cgan-strong-v1"
    assert versions["digits"]["sha256"] == old.weights_sha256 and versions["digits"]["hand"]["chars"] == "17"


@pytest.mark.django_db
def test_a_hand_whose_base_is_gone_fails_with_the_reason_before_anything_is_loaded(media_root, django_user_model,
                                                                                 loads):
    old = _register("digits-cgan-strong-v1", is_default=False)
    _register("digits-cgan-strong-v2", is_default=True)
    generation = _request(django_user_model.objects.create_user("ann"), old)
    old.delete()

    assert generation_run.run_generation(generation_id=generation.pk) == GenerationStatus.FAILED
    generation.refresh_from_db()
    assert "learned from generator digits-cgan-strong-v1, which is no longer available" in generation.error_message
    assert "learn it again" in generation.error_message
    assert loads == []
