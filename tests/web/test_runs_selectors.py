"""The reads and formatting behind the run pages, on odd and partial data."""

from types import SimpleNamespace

import pytest

from generator_app.models import EpochMetric, RunStatus
from generator_app.selectors.run_series import aligned_epoch_series, epoch_series, step_series
from generator_app.selectors.runs import grid_at_epoch, parse_compare_ids
from generator_app.views.run_display import evaluation_view, key_options
from tests.web.run_factories import make_run


@pytest.mark.django_db
def test_step_series_averages_buckets_beyond_the_point_budget(media_root):
    run = make_run(epochs_done=3, epochs_total=3, grids=False, steps_per_epoch=100, log_every=10)
    full = step_series(run=run)
    small = step_series(run=run, max_points=7)
    assert small["bucket"] == 5 and len(small["x"]) == 6
    assert small["x"] == full["x"][4::5]
    assert small["series"]["d_loss"][0] == pytest.approx(sum(full["series"]["d_loss"][:5]) / 5)
    assert len(small["epoch"]) == len(small["x"])


@pytest.mark.django_db
def test_series_tolerate_ragged_and_missing_columns(media_root):
    run = make_run(epochs_done=0, epochs_total=3, status=RunStatus.RUNNING, grids=False)
    EpochMetric.objects.create(run=run, epoch=1, step=4, losses={"d_loss": 1.0}, metrics={"cond_acc": None},
                               step_series={"step": [2, 4], "d_loss": [1.1], "g_loss": "oops"})  # fmt: skip
    EpochMetric.objects.create(run=run, epoch=2, step=8, losses={"d_loss": 0.9, "g_loss": 2.0}, step_series={})
    steps = step_series(run=run)
    assert steps["x"] == [2, 4] and steps["series"] == {"d_loss": [1.1, None]}
    epochs = epoch_series(run=run)
    assert epochs["series"]["d_loss"] == [1.0, 0.9] and epochs["series"]["g_loss"] == [None, 2.0]
    assert epochs["series"]["cond_acc"] == [None, None]


def test_aligned_series_put_runs_on_one_epoch_axis():
    x, aligned = aligned_epoch_series(
        {1: {"x": [1, 2, 3], "series": {"a": [1, 2, 3]}}, 2: {"x": [2, 4], "series": {"a": [5, 6], "b": [7, 8]}}}
    )
    assert x == [1, 2, 3, 4]
    assert aligned[1] == {"a": [1, 2, 3, None]}
    assert aligned[2] == {"a": [None, 5, None, 6], "b": [None, 7, None, 8]}


def test_grid_at_epoch_clamps_to_the_nearest_earlier_grid():
    grids = [SimpleNamespace(epoch=e) for e in (0, 1, 2, 5)]
    assert (grid_at_epoch(grids, 2)[0].epoch, grid_at_epoch(grids, 2)[1]) == (2, False)
    assert (grid_at_epoch(grids, 4)[0].epoch, grid_at_epoch(grids, 4)[1]) == (2, True)
    assert (grid_at_epoch(grids, 9)[0].epoch, grid_at_epoch(grids, 9)[1]) == (5, True)
    late = [SimpleNamespace(epoch=3)]
    assert (grid_at_epoch(late, 1)[0].epoch, grid_at_epoch(late, 1)[1]) == (3, True)
    assert grid_at_epoch([], 3) == (None, False)


def test_parse_compare_ids_accepts_lists_and_commas():
    assert parse_compare_ids("3, 5") == [3, 5]
    assert parse_compare_ids(["3", "5,8"]) == [3, 5, 8]
    assert parse_compare_ids(["3", "3", "4"]) == [3, 4]


def test_key_options_tell_runs_apart():
    config = {"loss": "hinge", "batch_norm": False, "batch_size": 32, "ema": None, "aux_weight": 0.0,
              "g_optimizer": {"name": "adam", "learning_rate": 0.0002, "beta_1": 0.5},
              "d_optimizer": {"name": "sgd", "learning_rate": 0.01}, "conditional": False}  # fmt: skip
    assert key_options(config) == [
        "loss hinge", "no batch norm", "G adam lr 2e-4 β1 0.5", "D sgd lr 0.01", "batch 32", "unconditional"
    ]  # fmt: skip
    assert key_options("not a dict") == [] and key_options({}) == []


def test_evaluation_view_renders_whatever_subset_is_present():
    assert evaluation_view({}, reference={}) is None
    assert evaluation_view({"unrelated": 1}, reference={}) is None
    only_metrics = evaluation_view({"metrics": {"cond_acc": 0.9, "cond_acc_min_class_id": 3}}, reference={"cond_acc": 0.99})
    assert only_metrics["metrics"] == [
        {"key": "cond_acc", "title": "Conditioning accuracy", "value": 0.9, "reference": 0.99, "lower_is_better": False}
    ]
    assert only_metrics["per_class"] == [] and only_metrics["confusion"] is None
    listed = evaluation_view({"per_class_accuracy": [0.5, 1.0], "classes": ["a", "b"]}, reference={})
    assert [(r["label"], r["weakest"]) for r in listed["per_class"]] == [("a", True), ("b", False)]
    broken = evaluation_view({"confusion_matrix": [[1, 2], [3]]}, reference={})
    assert "not a square table" in broken["confusion"]["error"]
    matrix = evaluation_view({"confusion_matrix": [[9, 1], [0, 10]]}, reference={})["confusion"]
    assert matrix["labels"] == ["0", "1"] and matrix["counts"] is True
    assert matrix["rows"][0]["cells"][0]["alpha"] == 0.9 and matrix["rows"][0]["cells"][0]["diagonal"]


def test_evaluation_view_of_what_the_training_task_stores():
    """The shapes of generator_app.worker.run_publish.final_evaluation: full, and its fallback."""
    full = {
        "generator": "/x/model.keras", "charset": "digits", "n": 10000, "seed": 0, "evaluator": "digits",
        "case_evaluator": None,
        "metrics": {"cond_acc": 0.97, "cond_acc_min_class": 0.9, "cond_acc_min_class_char": "7", "fid": 3.1},
        "per_class_accuracy": {"0": 0.99, "7": 0.9, "8": None},
        "reference": {"cond_acc": 0.99, "fid": 0.4, "evaluator": "digits"},
        "source": "ml.metrics.report.evaluate_generator",
    }  # fmt: skip
    view = evaluation_view(full, reference={"fid": 9.9, "is": 9.7})
    rows = {row["key"]: row for row in view["metrics"]}
    assert rows["fid"]["reference"] == 0.4  # the evaluation's own reference wins over the file's
    assert rows["cond_acc_min_class"]["detail"] == "class 7"
    assert [row["label"] for row in view["per_class"]] == ["0", "7"]  # no figure for 8: left out
    assert view["about"] == "10,000 generated images, read by the digits evaluator"
    fallback = {"metrics": {}, "source": "last epoch", "note": "no shipped evaluator reads charset 'fixture'"}
    view = evaluation_view(fallback, reference={})
    assert view["note"].startswith("no shipped evaluator") and "last epoch" in view["about"]
