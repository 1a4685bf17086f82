"""The run browser API: summaries, sorting, compact series, grids by epoch, compare."""

import pytest
from rest_framework.test import APIClient

from generator_app.models import EpochMetric, RunStatus
from generator_app.worker.run_media import build_training_gif
from tests.web.run_factories import final_evaluation, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("reader", password="a-long-test-password"))
    return client


@pytest.fixture
def runs_in_every_status(media_root):
    return {
        RunStatus.QUEUED: make_run(epochs_done=0, epochs_total=5, status=RunStatus.QUEUED, name="queued"),
        RunStatus.RUNNING: make_run(epochs_done=3, epochs_total=5, status=RunStatus.RUNNING, name="running", seed=2),
        RunStatus.SUCCEEDED: make_run(epochs_done=5, status=RunStatus.SUCCEEDED, name="done", seed=3,
                                      final_evaluation=final_evaluation()),
        RunStatus.FAILED: make_run(epochs_done=2, epochs_total=5, status=RunStatus.FAILED, name="failed", seed=4),
        RunStatus.CANCELLED: make_run(epochs_done=1, epochs_total=5, status=RunStatus.CANCELLED, name="stopped",
                                      quality=False, grids=False),
    }  # fmt: skip


def by_id(body):
    return {row["id"]: row for row in body["results"]}


def test_list_rows_carry_best_metrics_latest_grid_and_options(api, runs_in_every_status):
    rows = by_id(api.get("/api/runs/").json())
    assert len(rows) == 5
    done = runs_in_every_status[RunStatus.SUCCEEDED]
    row = rows[done.pk]
    metrics = [m.metrics for m in EpochMetric.objects.filter(run=done)]
    assert row["best"]["cond_acc"] == pytest.approx(max(m["cond_acc"] for m in metrics))
    assert row["best"]["fid"] == pytest.approx(min(m["fid"] for m in metrics))  # lower is better
    assert row["best"]["is"] == pytest.approx(max(m["is"] for m in metrics))
    assert row["latest_grid_epoch"] == 5 and row["latest_grid_url"].endswith(".png")
    assert "loss ns" in row["key_options"] and row["duration_seconds"] > 0
    queued = rows[runs_in_every_status[RunStatus.QUEUED].pk]
    assert queued["best"] == {key: None for key in ("cond_acc", "cond_acc_min_class", "is", "bcis", "fid")}
    assert queued["latest_grid_url"] is None and queued["duration_seconds"] is None
    cancelled = rows[runs_in_every_status[RunStatus.CANCELLED].pk]
    assert cancelled["best"]["cond_acc"] is None and cancelled["latest_grid_url"] is None


def test_sort_by_any_metric_with_empty_values_last(api, runs_in_every_status):
    ids = [row["id"] for row in api.get("/api/runs/", {"sort": "-cond_acc"}).json()["results"]]
    values = {row["id"]: row["best"]["cond_acc"] for row in api.get("/api/runs/").json()["results"]}
    measured = [i for i in ids if values[i] is not None]
    assert [values[i] for i in measured] == sorted((values[i] for i in measured), reverse=True)
    assert ids[len(measured):] == [i for i in ids if values[i] is None]  # nulls last, not first
    ascending = [row["id"] for row in api.get("/api/runs/", {"sort": "fid"}).json()["results"]]
    assert ascending[0] == min((i for i in measured), key=lambda i: api.get(f"/api/runs/{i}/").json()["best"]["fid"])
    for key in ("epochs", "-duration", "name", "status", "architecture", "is", "-bcis", "cond_acc_min_class"):
        assert api.get("/api/runs/", {"sort": key}).status_code == 200
    bad = api.get("/api/runs/", {"sort": "loss"})
    assert bad.status_code == 400 and "Unknown sort" in str(bad.json())


def test_filters_still_work_with_summaries(api, runs_in_every_status):
    for status, run in runs_in_every_status.items():
        rows = api.get("/api/runs/", {"status": status}).json()["results"]
        assert [row["id"] for row in rows] == [run.pk]


def test_detail_has_final_evaluation_and_gif_link(api, runs_in_every_status):
    done = runs_in_every_status[RunStatus.SUCCEEDED]
    assert api.get(f"/api/runs/{done.pk}/").json()["training_gif_url"] is None
    build_training_gif(done)
    body = api.get(f"/api/runs/{done.pk}/").json()
    assert body["training_gif_url"].endswith(f"/runs/{done.pk}/training.gif")
    assert body["final_evaluation"]["per_class_accuracy"]["0"] > 0.8
    assert api.get(f"/api/runs/{runs_in_every_status[RunStatus.QUEUED].pk}/").json()["final_evaluation"] == {}


def test_epoch_series_is_columnar_and_appendable(api, runs_in_every_status):
    run = runs_in_every_status[RunStatus.RUNNING]
    body = api.get(f"/api/runs/{run.pk}/series/").json()
    assert body["scale"] == "epoch" and body["x"] == [1, 2, 3] and body["step"] == [100, 200, 300]
    assert body["status"] == "running" and body["epochs_done"] == 3 and body["epochs_total"] == 5
    for key in ("d_loss", "g_loss", "d_aux_loss", "d_acc_real", "g_grad_mean", "cond_acc", "fid", "duration_seconds"):
        assert len(body["series"][key]) == 3, key
    row = EpochMetric.objects.get(run=run, epoch=2)
    assert body["series"]["g_loss"][1] == row.losses["g_loss"]
    assert body["series"]["cond_acc"][1] == row.metrics["cond_acc"]
    later = api.get(f"/api/runs/{run.pk}/series/", {"after_epoch": 2}).json()
    assert later["x"] == [3] and later["series"]["d_loss"] == body["series"]["d_loss"][2:]


def test_step_series_joins_the_epochs(api, runs_in_every_status):
    run = runs_in_every_status[RunStatus.RUNNING]
    body = api.get(f"/api/runs/{run.pk}/series/", {"scale": "step"}).json()
    assert body["scale"] == "step" and body["bucket"] == 1
    assert len(body["x"]) == 30 and body["x"][:3] == [10, 20, 30] and body["x"][-1] == 300
    assert body["epoch"][0] == 1 and body["epoch"][-1] == 3
    assert set(body["series"]) >= {"d_loss", "g_loss", "d_acc_real", "d_acc_fake", "g_grad_mean", "g_grad_std"}
    assert body["series"]["d_loss"][:10] == EpochMetric.objects.get(run=run, epoch=1).step_series["d_loss"]


def test_series_of_a_run_without_metrics_is_empty_not_an_error(api, runs_in_every_status):
    run = runs_in_every_status[RunStatus.QUEUED]
    for scale in ("epoch", "step"):
        body = api.get(f"/api/runs/{run.pk}/series/", {"scale": scale}).json()
        assert body["x"] == []
    assert api.get(f"/api/runs/{run.pk}/samples/").json() == []


def test_bad_series_parameters_are_400(api, runs_in_every_status):
    run = runs_in_every_status[RunStatus.RUNNING]
    assert api.get(f"/api/runs/{run.pk}/series/", {"scale": "hour"}).status_code == 400
    assert api.get(f"/api/runs/{run.pk}/series/", {"after_epoch": "-1"}).status_code == 400
    assert api.get(f"/api/runs/{run.pk}/series/", {"after_epoch": "x"}).status_code == 400
    assert api.get("/api/runs/999999/series/").status_code == 404


def test_samples_by_epoch(api, runs_in_every_status):
    run = runs_in_every_status[RunStatus.RUNNING]
    assert [g["epoch"] for g in api.get(f"/api/runs/{run.pk}/samples/").json()] == [1, 2, 3]
    one = api.get(f"/api/runs/{run.pk}/samples/", {"epoch": 2}).json()
    assert len(one) == 1 and one[0]["epoch"] == 2
    assert [g["epoch"] for g in api.get(f"/api/runs/{run.pk}/samples/", {"after_epoch": 1}).json()] == [2, 3]
    assert api.get(f"/api/runs/{run.pk}/samples/", {"epoch": 9}).json() == []
    assert api.get(f"/api/runs/{run.pk}/samples/", {"epoch": "two"}).status_code == 400


def test_compare_runs_of_different_lengths(api, media_root):
    long = make_run(epochs_done=6, name="long", seed=1)
    short = make_run(epochs_done=3, epochs_total=6, status=RunStatus.FAILED, name="short", seed=2)
    body = api.get("/api/runs/compare/", {"ids": f"{long.pk},{short.pk}"}).json()
    assert body["x"] == [1, 2, 3, 4, 5, 6] and body["max_epoch"] == 6
    assert body["epoch"] == 3  # the last epoch both have: nothing clamped at first sight
    first, second = body["runs"]
    assert first["run"]["id"] == long.pk and second["run"]["id"] == short.pk  # the order asked for
    assert second["series"]["d_loss"][3:] == [None, None, None]  # the short run's curve just ends
    assert first["series"]["d_loss"][5] is not None
    assert [g["epoch"] for g in second["grids"]] == [1, 2, 3]
    assert second["grid_at_epoch"]["clamped"] is False

    late = api.get("/api/runs/compare/", {"ids": f"{long.pk},{short.pk}", "epoch": 5}).json()
    at_long, at_short = late["runs"][0]["grid_at_epoch"], late["runs"][1]["grid_at_epoch"]
    assert (at_long["epoch"], at_long["clamped"], at_long["note"]) == (5, False, "")
    assert at_short["requested"] == 5 and at_short["epoch"] == 3 and at_short["clamped"] is True
    assert at_short["note"] == "Stopped at epoch 3: showing epoch 3."
    assert at_short["image_url"].endswith(".png")


def test_compare_with_a_run_without_grids(api, media_root):
    done = make_run(epochs_done=2, seed=1)
    queued = make_run(epochs_done=0, epochs_total=4, status=RunStatus.QUEUED, grids=False)
    body = api.get("/api/runs/compare/", {"ids": f"{done.pk},{queued.pk}", "epoch": 2}).json()
    assert body["runs"][1]["grid_at_epoch"] == {
        "requested": 2, "epoch": None, "clamped": False, "image_url": None, "note": "No sample grid saved yet."
    }  # fmt: skip
    assert body["runs"][0]["series"]["d_loss"][1] is not None
    assert "d_loss" not in body["runs"][1]["series"]  # nothing recorded: no column to draw
    assert all(v is None for column in body["runs"][1]["series"].values() for v in column)


@pytest.mark.parametrize(
    ("ids", "message"),
    [("", "This field is required"), ("5", "Pick 2 to 4"), ("1,2,3,4,5", "Pick 2 to 4"),
     ("1,x", "run ids"), ("999998,999999", "No run with id 999998, 999999")],
)  # fmt: skip
def test_compare_rejects_bad_selections(api, ids, message):
    response = api.get("/api/runs/compare/", {"ids": ids} if ids else {})
    assert response.status_code == (404 if message.startswith("No run") else 400)  # well-formed, but no such run
    assert message in str(response.json())


def test_same_run_twice_is_one_run(api, media_root):
    run = make_run(epochs_done=1)
    assert api.get("/api/runs/compare/", {"ids": f"{run.pk},{run.pk}"}).status_code == 400


def test_schema_documents_the_run_browser(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "/api/runs/{id}/series/" in paths and "/api/runs/compare/" in paths
    series_params = {p["name"] for p in paths["/api/runs/{id}/series/"]["get"]["parameters"]}
    assert {"scale", "after_epoch"} <= series_params
    compare_params = {p["name"] for p in paths["/api/runs/compare/"]["get"]["parameters"]}
    assert {"ids", "epoch"} <= compare_params
    best = schema["components"]["schemas"]["BestMetrics"]["properties"]
    assert set(best) == {"cond_acc", "cond_acc_min_class", "is", "bcis", "fid"}
