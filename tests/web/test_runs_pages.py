"""Run browser pages: list with filters and sorting, one run in every status, compare, downloads."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from generator_app.models import Dataset, RunStatus, Sweep
from generator_app.selectors import metric_reference
from generator_app.worker.run_media import build_training_gif
from tests.web.run_factories import final_evaluation, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="a-long-test-password"))
    return client


@pytest.fixture
def mnist(db):
    return Dataset.objects.create(name="mnist", kind="digits", charset="digits", storage_path="shared/datasets/mnist")


@pytest.fixture
def reference_file(settings, tmp_path):
    path = tmp_path / "REFERENCE.json"
    path.write_text(json.dumps({"digits": {"cond_acc": 0.991, "fid": 0.41, "fid_1k": 1.92, "is": 9.71}}))
    settings.HANDGEN_METRICS_REFERENCE = path
    return path


@pytest.fixture
def no_reference_file(settings, tmp_path):
    settings.HANDGEN_METRICS_REFERENCE = tmp_path / "absent.json"


@pytest.fixture
def every_status(media_root, mnist):
    return {
        RunStatus.QUEUED: make_run(epochs_done=0, epochs_total=4, status=RunStatus.QUEUED, name="q-run",
                                   datasets=[mnist]),
        RunStatus.RUNNING: make_run(epochs_done=2, epochs_total=4, status=RunStatus.RUNNING, name="r-run",
                                    datasets=[mnist]),
        RunStatus.SUCCEEDED: make_run(epochs_done=4, name="s-run", datasets=[mnist],
                                      final_evaluation=final_evaluation()),
        RunStatus.FAILED: make_run(epochs_done=1, epochs_total=4, status=RunStatus.FAILED, name="f-run",
                                   architecture="dcgan", config={"batch_norm": False, "loss": "hinge"}),
        RunStatus.CANCELLED: make_run(epochs_done=1, epochs_total=4, status=RunStatus.CANCELLED, name="c-run",
                                      quality=False, grids=False),
        RunStatus.PRUNED: make_run(epochs_done=2, epochs_total=4, status=RunStatus.PRUNED, name="p-run",
                                   trial={"sweep": _sweep(mnist), "trial_number": 3,
                                          "pruned_reason": "median pruner: at epoch 2 ..."}),
    }  # fmt: skip


def _sweep(dataset):
    return Sweep.objects.create(dataset=dataset, architecture="cgan-strong", objective="cond_acc",
                                direction="maximize", n_trials=4, study_name="handgen-sweep-pages",
                                search_space={"aux_weight": {"type": "choice", "values": [0.0, 1.0]}})  # fmt: skip


def html(response):
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_list_shows_every_run_with_its_summary(signed_in, every_status):
    page = html(signed_in.get(reverse("runs")))
    for run in every_status.values():
        assert f'href="{reverse("run_detail", args=[run.pk])}"' in page
    done = every_status[RunStatus.SUCCEEDED]
    row = re.search(rf'<tr data-run="{done.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "4/4" in row and "loss ns" in row and "mnist" in row
    assert f'alt="Samples of run {done.pk} at epoch 4"' in row
    best_acc = max(m.metrics["cond_acc"] for m in done.epoch_metrics.all())
    best_fid = min(m.metrics["fid"] for m in done.epoch_metrics.all())
    assert f'<td class="num">{best_acc:.3g}</td>' in row and f'<td class="num">{best_fid:.3g}</td>' in row
    queued_row = re.search(rf'<tr data-run="{every_status[RunStatus.QUEUED].pk}">(.*?)</tr>', page, re.S).group(1)
    assert "0/4" in queued_row and "—" in queued_row
    assert "<progress" in re.search(rf'<tr data-run="{every_status[RunStatus.RUNNING].pk}">(.*?)</tr>', page, re.S).group(1)


def test_list_filters_by_status_dataset_and_architecture(signed_in, every_status, mnist):
    names = lambda response: set(re.findall(r"(\w-run)</a>", html(response)))  # noqa: E731
    assert names(signed_in.get(reverse("runs"), {"status": "failed"})) == {"f-run"}
    assert names(signed_in.get(reverse("runs"), {"dataset": mnist.pk})) == {"q-run", "r-run", "s-run"}
    assert names(signed_in.get(reverse("runs"), {"architecture": "dcgan"})) == {"f-run"}
    assert "match these filters" in html(signed_in.get(reverse("runs"), {"architecture": "none-such"}))


def test_list_sorts_by_a_metric(signed_in, every_status):
    page = html(signed_in.get(reverse("runs"), {"sort": "-cond_acc"}))
    order = re.findall(r'<tr data-run="(\d+)">', page)
    assert order[0] == str(every_status[RunStatus.SUCCEEDED].pk)  # it trained longest: best accuracy
    assert order[-1] in {str(every_status[s].pk) for s in (RunStatus.QUEUED, RunStatus.CANCELLED)}


@pytest.mark.parametrize("params", [{"status": "exploded"}, {"sort": "nonsense"}, {"dataset": "mnist"}])
def test_list_bad_filters_are_400_with_a_message(signed_in, params):
    response = signed_in.get(reverse("runs"), params)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_list_is_paginated_keeping_filters(signed_in, media_root):
    for i in range(27):
        make_run(epochs_done=0, epochs_total=2, status=RunStatus.QUEUED, name=f"run{i}", grids=False)
    first = html(signed_in.get(reverse("runs"), {"status": "queued"}))
    assert first.count("<tr data-run=") == 25 and "Page 1 of 2" in first
    assert "?status=queued&amp;page=2" in first
    assert html(signed_in.get(reverse("runs"), {"status": "queued", "page": 2})).count("<tr data-run=") == 2


@pytest.mark.parametrize("status", list(RunStatus))
def test_run_page_in_every_status(signed_in, every_status, reference_file, status):
    run = every_status[status]
    page = html(signed_in.get(reverse("run_detail", args=[run.pk])))
    assert f"#{run.pk} {run.name}" in page
    assert f'id="run-progress" max="{run.epochs_total}" value="{run.epochs_done}"' in page
    for section in ("dynamics-charts", "quality-charts", 'id="grid-slider"', "Final evaluation", "chart-specs"):
        assert section in page
    data = json.loads(re.search(r'<script id="page-data" type="application/json">(.*?)</script>', page).group(1))
    assert data["live"] is (status in (RunStatus.QUEUED, RunStatus.RUNNING))
    assert data["api"]["series"] == f"/api/runs/{run.pk}/series/"
    grids = json.loads(re.search(r'<script id="grid-list" type="application/json">(.*?)</script>', page).group(1))
    assert [g["epoch"] for g in grids] == (list(range(1, run.epochs_done + 1)) if status != RunStatus.CANCELLED else [])


def test_run_page_details(signed_in, every_status, reference_file):
    failed = html(signed_in.get(reverse("run_detail", args=[every_status[RunStatus.FAILED].pk])))
    assert "Worker lost: out of memory" in failed and "no batch norm" in failed
    queued = html(signed_in.get(reverse("run_detail", args=[every_status[RunStatus.QUEUED].pk])))
    assert "Not evaluated yet" in queued and "No sample grid saved yet" in queued and "live" in queued
    pruned = html(signed_in.get(reverse("run_detail", args=[every_status[RunStatus.PRUNED].pk])))
    assert "<strong>pruned</strong> at epoch 2. median pruner: at epoch 2" in pruned and "sweep #" in pruned
    done = html(signed_in.get(reverse("run_detail", args=[every_status[RunStatus.SUCCEEDED].pk])))
    assert "Per-class accuracy" in done and "Confusion matrix" in done and "Not evaluated yet" not in done
    assert "tensorflow" in done  # backend
    assert "0.991" in done  # the real-data reference next to the final figures
    specs = json.loads(re.search(r'<script id="chart-specs" type="application/json">(.*?)</script>', done).group(1))
    quality = {chart["series"][0]["key"]: chart["reference"] for chart in specs["quality"]}
    assert quality["cond_acc"] == 0.991 and quality["fid"] == 1.92  # per-epoch FID against the 1k figure
    assert quality["wcis"] is None


def test_run_page_without_a_reference_file(signed_in, every_status, no_reference_file):
    page = html(signed_in.get(reverse("run_detail", args=[every_status[RunStatus.SUCCEEDED].pk])))
    assert "No real-data reference for digits yet" in page


def test_unreadable_reference_file_is_no_reference(settings, tmp_path):
    path = tmp_path / "REFERENCE.json"
    path.write_text("{not json")
    settings.HANDGEN_METRICS_REFERENCE = path
    assert metric_reference.reference_for_charset("digits") == {}
    path.write_text(json.dumps({"digits": {"fid": 0.5, "fid_1k": 2.0, "evaluator": "digits"}}))
    assert metric_reference.reference_for_charset("digits") == {"fid": 0.5, "fid_1k": 2.0}
    assert metric_reference.epoch_reference_for_charset("digits")["fid"] == 2.0


def test_unknown_run_is_404(signed_in):
    assert signed_in.get(reverse("run_detail", args=[999999])).status_code == 404


def test_gif_download(signed_in, every_status):
    run = every_status[RunStatus.SUCCEEDED]
    assert signed_in.get(reverse("run_training_gif", args=[run.pk])).status_code == 404
    build_training_gif(run)
    response = signed_in.get(reverse("run_training_gif", args=[run.pk]), {"download": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:6] == b"GIF89a"
    assert "Download GIF" in html(signed_in.get(reverse("run_detail", args=[run.pk])))


def test_compare_page(signed_in, every_status):
    ids = [every_status[RunStatus.SUCCEEDED].pk, every_status[RunStatus.FAILED].pk]
    page = html(signed_in.get(reverse("run_compare"), {"runs": ids}))
    assert "s-run" in page and "f-run" in page and 'id="compare-slider"' in page
    assert f"/api/runs/compare/?ids={ids[0]},{ids[1]}" in page
    assert signed_in.get(reverse("run_compare"), {"runs": f"{ids[0]},{ids[1]}"}).status_code == 200


@pytest.mark.parametrize("runs", [[], ["1"], ["1", "2", "3", "4", "5"], ["a", "b"], ["999998", "999999"]])
def test_compare_page_bad_selection_is_400(signed_in, runs):
    response = signed_in.get(reverse("run_compare"), {"runs": runs})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_pages_need_sign_in(client, media_root):
    run = make_run(epochs_done=1)
    for url in [reverse("run_detail", args=[run.pk]), reverse("run_compare"), reverse("run_epochs_csv", args=[run.pk]),
                reverse("run_tensorboard_zip", args=[run.pk]), reverse("run_training_gif", args=[run.pk])]:  # fmt: skip
        assert client.get(url).status_code == 302
    assert client.get(f"/api/runs/{run.pk}/series/").status_code == 401
    assert client.get("/api/runs/compare/?ids=1,2").status_code == 401


def test_charts_library_is_served_locally(signed_in, every_status):
    page = html(signed_in.get(reverse("run_detail", args=[every_status[RunStatus.RUNNING].pk])))
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert "/static/vendor/uplot-1.6.32/uPlot.iife.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)  # no CDN: works offline
    for name in ("uPlot.iife.min.js", "uPlot.min.css", "LICENSE"):
        assert finders.find(f"vendor/uplot-1.6.32/{name}"), name  # vendored, licence kept
