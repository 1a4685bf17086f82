"""The sweep page, its API and "publish best", on trials stored the way the worker stores them.

No worker here: the rows are written directly (runs, their per-epoch metrics, a generator
for each finished trial), so the leaderboard's order and the figures are known.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from sweep_factories import SPACE, make_sweep

from generator_app.models import EpochMetric, GeneratorModel, RunStatus, TrainingRun
from generator_app.selectors.sweeps import best_trial, objective_series, param_importances, sweep_trials

pytestmark = pytest.mark.django_db

@pytest.fixture
def sweep(media_root):
    return make_sweep()


def test_the_leaderboard_ranks_by_the_last_epoch_s_objective(sweep):
    trials = sweep_trials(sweep=sweep)
    assert [t["trial_number"] for t in trials] == [1, 0, 3, 2, 4]  # running trial 4 has no result: last
    assert [t["rank"] for t in trials] == [1, 2, 3, 4, None]
    by_number = {t["trial_number"]: t for t in trials}
    assert by_number[3]["result"] == 0.20 and by_number[3]["best"] == 0.30  # last epoch, not its best
    assert by_number[2]["result_epoch"] == 1 and by_number[0]["is_base"]
    assert best_trial(sweep=sweep).trial_number == 1
    series = objective_series(sweep=sweep)
    assert series["x"] == [1, 2, 3] and series["series"]["trial 2"] == [0.10, None, None]

    sweep.direction = "minimize"  # the same rows read the other way
    assert [t["trial_number"] for t in sweep_trials(sweep=sweep)][:2] == [2, 3]


def test_parameter_importance_needs_two_different_results(sweep):
    importances = param_importances(sweep=sweep)
    assert set(importances) == set(SPACE) and sum(importances.values()) == pytest.approx(1.0)
    EpochMetric.objects.filter(run__sweep=sweep).exclude(run__trial_number=1).update(metrics={})
    assert param_importances(sweep=sweep) is None  # one result left


def test_the_sweep_page_shows_leaderboard_charts_and_links(client, django_user_model, sweep):
    client.force_login(django_user_model.objects.create_user("reader", password="a-long-test-password"))
    assert client.get(reverse("sweeps")).status_code == 200
    page = client.get(reverse("sweep_detail", args=[sweep.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index('data-trial="1"') < body.index('data-trial="0"') < body.index('data-trial="3"')
    assert "median pruner: at epoch 1" in body and "<polyline" in body and "Parameter importance" in body
    top = [t["run_id"] for t in sweep_trials(sweep=sweep)][:4]
    assert f'href="{reverse("run_compare")}?runs={top[0]}&amp;runs={top[1]}' in body
    assert "publish-best" not in body  # staff only
    run = TrainingRun.objects.get(sweep=sweep, trial_number=2)
    assert f"sweep #{sweep.pk}" in client.get(reverse("run_detail", args=[run.pk])).content.decode()
    assert client.post(reverse("sweep_publish_best", args=[sweep.pk])).status_code == 302  # to the admin login
    assert not GeneratorModel.objects.filter(is_default=True).exists()
    client.logout()
    assert client.get(reverse("sweep_detail", args=[sweep.pk])).status_code == 302  # sign-in required


def test_publish_best_makes_the_best_trial_s_generator_the_default(admin_client, sweep):
    old = GeneratorModel(name="shipped", charset="digits", architecture="cgan-strong", is_default=True)
    old.weights.save("model.keras", ContentFile(b"w"), save=True)
    response = admin_client.post(reverse("sweep_publish_best", args=[sweep.pk]))
    assert response.status_code == 302
    default = GeneratorModel.objects.default_for("digits")
    assert default.run.trial_number == 1 and default.run.sweep == sweep
    old.refresh_from_db()
    assert not old.is_default


def test_publish_best_without_a_finished_trial_says_why(admin_client, sweep):
    TrainingRun.objects.filter(sweep=sweep, status=RunStatus.SUCCEEDED).update(status=RunStatus.CANCELLED)
    response = admin_client.post(reverse("sweep_publish_best", args=[sweep.pk]), follow=True)
    assert "has no finished trial with a generator yet" in response.content.decode()
    assert not GeneratorModel.objects.filter(is_default=True).exists()


def test_the_api_lists_sweeps_and_their_trials(client, django_user_model, sweep):
    client.force_login(django_user_model.objects.create_user("reader", password="a-long-test-password"))
    listing = client.get("/api/sweeps/").json()
    assert [s["id"] for s in listing["results"]] == [sweep.pk]
    detail = client.get(f"/api/sweeps/{sweep.pk}/").json()
    assert detail["objective"] == "cond_acc" and detail["search_space"] == SPACE
    assert [t["trial_number"] for t in detail["trials"]] == [1, 0, 3, 2, 4]
    assert set(detail["importance"]) == set(SPACE)
    trials = client.get(f"/api/sweeps/{sweep.pk}/trials/").json()
    assert trials[0]["params"] == {"g_optimizer.learning_rate": 2e-3, "aux_weight": 1.0}
    assert trials[0]["run_url"].endswith(f"/api/runs/{trials[0]['run_id']}/")
    assert client.get("/api/sweeps/999/").status_code == 404
    client.logout()
    assert client.get("/api/sweeps/").status_code in (401, 403)


def test_the_api_shows_the_base_config_s_server_path_to_staff_only(client, admin_client, django_user_model, media_root):
    sweep = make_sweep(base_config={"epochs": 3, "data_root": "/srv/private/hand-data"})
    client.force_login(django_user_model.objects.create_user("reader", password="a-long-test-password"))
    assert client.get(f"/api/sweeps/{sweep.pk}/").json()["base_config"] == {"epochs": 3}
    assert client.get("/api/sweeps/").json()["results"][0]["base_config"] == {"epochs": 3}
    staff_view = admin_client.get(f"/api/sweeps/{sweep.pk}/").json()["base_config"]
    assert staff_view["data_root"] == "/srv/private/hand-data"
