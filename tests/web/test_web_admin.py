"""Every admin page renders, with a row of each model so computed columns run."""

import pytest
from django.contrib import admin
from django.urls import reverse

from generator_app.models import TrainingRun


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_changelist_and_add_pages_render(admin_client, sample_objects, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    if admin.site._registry[model].has_add_permission(changelist.wsgi_request):
        assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


@pytest.mark.parametrize("key", ["dataset", "run", "metric", "grid", "generator", "generation"])
def test_change_pages_render(admin_client, sample_objects, key):
    obj = sample_objects[key]
    opts = obj._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_run_list_shows_progress_and_search_works(admin_client, sample_objects):
    url = reverse("admin:generator_app_trainingrun_changelist")
    html = admin_client.get(url, {"q": "baseline"}).content.decode()
    assert "2/3 epochs (67%)" in html
    assert "0 training runs" in admin_client.get(url, {"q": "nothing-matches"}).content.decode()


@pytest.mark.django_db
def test_sample_grid_admin_shows_the_image(admin_client, sample_objects):
    grid = sample_objects["grid"]
    html = admin_client.get(reverse("admin:generator_app_samplegrid_changelist")).content.decode()
    image_url = reverse("sample_grid_image", args=[grid.pk])
    assert image_url in html
    response = admin_client.get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.django_db
def test_adding_a_run_in_the_admin_validates_hyperparameters(admin_client, sample_objects):
    url = reverse("admin:generator_app_trainingrun_add")
    form = {"architecture": "cgan-strong", "extra_options": '{"batch_size": -4}', "seed": 1, "queue": "gpu",
            "epochs": 2, "dataset": sample_objects["dataset"].pk}  # fmt: skip
    response = admin_client.post(url, form)
    assert response.status_code == 200 and "batch_size must be an integer" in response.content.decode()
    assert TrainingRun.objects.count() == 1  # only the fixture's run


@pytest.mark.django_db
def test_a_run_added_in_the_admin_is_stored_with_its_full_config(admin_client, admin_user, sample_objects):
    form = {"name": "tiny", "architecture": "cgan-strong", "batch_size": 16, "seed": 3, "queue": "gpu",
            "epochs": 2, "dataset": sample_objects["dataset"].pk}  # fmt: skip
    response = admin_client.post(reverse("admin:generator_app_trainingrun_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    run = TrainingRun.objects.get(name="tiny")
    assert run.created_by == admin_user
    assert run.hyperparameters["batch_size"] == 16 and run.hyperparameters["epochs"] == 2
    assert list(run.datasets.all()) == [sample_objects["dataset"]]
