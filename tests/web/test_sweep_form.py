"""The admin's New sweep form and the search space rules: a bad space is a form error and stores nothing."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from generator_app.models import Dataset, Sweep
from generator_app.models.sweep_space import (
    SearchSpaceError,
    apply_params,
    contains,
    grid_values,
    parse_search_space,
)

pytestmark = pytest.mark.django_db

GOOD_SPACE = {
    "g_optimizer.learning_rate": {"type": "float", "low": 1e-4, "high": 1e-3, "log": True},
    "aux_weight": {"type": "choice", "values": [0.3, 1.0]},
    "g_width": {"type": "int", "low": 16, "high": 64, "step": 16},
}


@pytest.fixture
def dataset():
    return Dataset.objects.create(name="fixture", kind="custom", charset="digits", storage_path="fixture")


def post(admin_client, dataset, space, **changes):
    form = {"name": "s", "dataset": dataset.pk, "architecture": "cgan-strong", "queue": "gpu", "epochs": 3,
            "seed": 0, "search_space": space if isinstance(space, str) else json.dumps(space),
            "objective": "cond_acc", "direction": "", "sampler": "tpe", "sampler_seed": 0, "n_trials": 8,
            "parallelism": 2, "base_trial": "on", "pruner": "median", "pruner_startup_trials": 2,
            "pruner_warmup_epochs": 0}  # fmt: skip
    form.update(changes)
    return admin_client.post(reverse("admin:generator_app_sweep_add"), form)


def test_a_valid_sweep_is_stored_with_its_full_base_config(admin_client, dataset):
    response = post(admin_client, dataset, GOOD_SPACE, g_width=32)
    assert response.status_code == 302, response.content.decode()[-2000:]
    sweep = Sweep.objects.get()
    assert response["Location"] == reverse("sweep_detail", args=[sweep.pk])
    assert sweep.direction == "maximize"  # the objective's own, as the form says for a blank direction
    assert sweep.base_config["g_width"] == 32 and sweep.base_config["epochs"] == 3
    assert sweep.base_config["d_optimizer"]["name"] == "adam"  # the architecture's defaults filled in
    assert sweep.search_space == GOOD_SPACE and sweep.status == "running" and sweep.optuna_version


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"aux_weight": {"type": "float", "low": 2.0, "high": 1.0}}, "aux_weight: low (2.0) must be below high (1.0)"),
        ({"g_optimizer.learning_rate": {"type": "float", "low": 0, "high": 1e-3, "log": True}},
         "a log scale needs low &gt; 0"),
        ({"g_optimizer.learning_rate": {"type": "float", "low": 1e-4, "high": 5.0}},
         "g_optimizer.learning_rate = 5.0: g_optimizer.learning_rate must be a number in (0, 1]"),
        ({"g_width": {"type": "int", "low": 0, "high": 64}}, "g_width = 0: g_width must be an integer from 4 to 1024"),
        ({"g_width": {"type": "int", "low": 8.5, "high": 64}}, "g_width: low and high must be integers"),
        ({"not_an_option": {"type": "choice", "values": [1, 2]}}, "unknown options for cgan-strong: not_an_option"),
        ({"epochs": {"type": "int", "low": 1, "high": 5}}, "epochs: fixed by the sweep itself"),
        ({"aux_weight": {"type": "choice", "values": []}}, "aux_weight: values must be a non-empty list"),
        ({"aux_weight": {"type": "choice", "values": [0.3, 2.0]}}, "the base config&#x27;s value 1.0 is not among"),
        ({"aux_weight": {"type": "uniform", "low": 0, "high": 1}}, "aux_weight: type must be one of choice, int, float"),
        ({}, "the search space needs at least one parameter"),
        ("[1, 2]", "Write a JSON object"),
        ("{not json", "Not valid JSON"),
    ],
)  # fmt: skip
def test_a_bad_search_space_is_a_form_error_and_nothing_is_stored(admin_client, dataset, space, message):
    response = post(admin_client, dataset, space)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please correct the errors below." in body and message in body, body[body.find("errorlist"):][:1500]
    assert not Sweep.objects.exists()


def test_the_grid_sampler_needs_a_finite_grid(admin_client, dataset):
    space = {"aux_weight": {"type": "float", "low": 0.0, "high": 2.0}}
    body = post(admin_client, dataset, space, sampler="grid").content.decode()
    assert "aux_weight: the grid sampler needs a step for a float range" in body
    assert not Sweep.objects.exists()
    assert post(admin_client, dataset, {"aux_weight": {**space["aux_weight"], "step": 0.5}}, sampler="grid").status_code == 302


def test_bad_base_options_are_form_errors_too(admin_client, dataset):
    body = post(admin_client, dataset, GOOD_SPACE, g_learning_rate=3).content.decode()
    assert "g_optimizer.learning_rate must be a number in (0, 1]" in body and not Sweep.objects.exists()


def test_the_space_rules_without_the_form():
    assert parse_search_space(GOOD_SPACE) is GOOD_SPACE
    assert grid_values({"w": {"type": "int", "low": 16, "high": 64, "step": 16}}) == {"w": [16, 32, 48, 64]}
    assert grid_values({"x": {"type": "float", "low": 0.0, "high": 1.0, "step": 0.25}}) == {"x": [0.0, 0.25, 0.5, 0.75, 1.0]}
    with pytest.raises(SearchSpaceError) as error:
        parse_search_space({"a": {"type": "float", "low": 1, "high": 2, "log": True, "step": 0.5},
                            "b.c": {"type": "int", "low": 1, "high": 2}})  # fmt: skip
    assert error.value.problems == ["a: choose either a log scale or a step, not both",
                                    "b.c: only g_optimizer.<setting> and d_optimizer.<setting> take a dot"]  # fmt: skip
    assert apply_params({"g_optimizer": {"name": "adam", "beta_1": 0.5}, "aux_weight": 1.0},
                        {"g_optimizer.learning_rate": 1e-3, "aux_weight": 0.3}) == {
        "g_optimizer": {"name": "adam", "beta_1": 0.5, "learning_rate": 1e-3}, "aux_weight": 0.3}  # fmt: skip
    assert contains({"type": "choice", "values": [0.3, 1.0]}, 1.0)
    assert not contains({"type": "choice", "values": [True, 2]}, 1)  # 1 is not True here
    assert contains({"type": "int", "low": 16, "high": 64, "step": 16}, 48)
    assert not contains({"type": "int", "low": 16, "high": 64, "step": 16}, 40)


def test_the_model_rejects_what_the_database_must_never_hold(dataset):
    sweep = Sweep(dataset=dataset, architecture="cgan-strong", objective="nope", direction="maximize", n_trials=2,
                  study_name="x", search_space={"a": {"type": "int", "low": 3, "high": 1}})  # fmt: skip
    with pytest.raises(ValidationError) as error:
        sweep.full_clean()
    assert set(error.value.message_dict) >= {"objective", "search_space"}


def test_the_admin_shows_a_sweep_read_only_with_its_page_and_cancel(admin_client, dataset):
    assert post(admin_client, dataset, GOOD_SPACE).status_code == 302
    sweep = Sweep.objects.get()
    assert admin_client.get(reverse("admin:generator_app_sweep_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:generator_app_sweep_change", args=[sweep.pk])).content.decode()
    assert reverse("sweep_detail", args=[sweep.pk]) in page
    assert reverse("admin:generator_app_sweep_cancel", args=[sweep.pk]) in page
    assert 'name="search_space"' not in page  # a started sweep's config is its record
    admin_client.post(reverse("admin:generator_app_sweep_cancel", args=[sweep.pk]), {"post": "yes"})
    sweep.refresh_from_db()
    assert sweep.status == "cancelled" and sweep.finished_at is not None
    response = admin_client.post(reverse("admin:generator_app_sweep_cancel", args=[sweep.pk]), {"post": "yes"},
                                 follow=True)  # fmt: skip
    assert "has already ended" in response.content.decode()


def test_the_new_sweep_page_is_the_run_form_with_its_own_title_and_button(admin_client, dataset):
    page = admin_client.get(reverse("admin:generator_app_sweep_add")).content.decode()
    assert "New sweep" in page and 'value="Save and start the sweep"' in page
    assert "New training run" not in page and 'id="new-run-data"' in page
