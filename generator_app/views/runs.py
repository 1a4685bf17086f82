"""The run browser pages: list, one run, compare, and a run's downloads.

Pages render what the server knows at once (config, timings, evaluation, the list of
sample grids); charts fetch their columns from the API in one request per axis, so a
200-epoch run costs the page a handful of queries.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Sum
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from generator_app.models import EpochMetric, RunStatus, TrainingRun
from generator_app.selectors.exports import usefulness_for_run
from generator_app.selectors.metric_reference import (
    epoch_reference_for_charset,
    reference_for_charset,
    run_charset,
)
from generator_app.selectors.run_visibility import config_for_viewer
from generator_app.selectors.runs import (
    architecture_choices,
    dataset_list,
    parse_compare_ids,
    run_detail,
    run_list,
    runs_to_compare,
    sample_grid_list,
)
from generator_app.services.run_export import (
    csv_lines,
    epoch_csv_rows,
    export_name,
    step_csv_rows,
    tensorboard_zip,
)

from .run_charts import compare_charts, run_page_charts
from .run_display import config_rows, evaluation_view, key_options

PAGE_SIZE = 25
SORT_OPTIONS = [
    ("-created", "Newest first"),
    ("created", "Oldest first"),
    ("-cond_acc", "Best conditioning accuracy"),
    ("fid", "Best (lowest) FID"),
    ("-is", "Best Inception score"),
    ("-bcis", "Best between-class IS"),
    ("-cond_acc_min_class", "Best weakest-class accuracy"),
    ("-epochs", "Most epochs done"),
    ("-duration", "Longest"),
    ("duration", "Shortest"),
    ("name", "Name"),
    ("status", "Status"),
    ("architecture", "Architecture"),
]
# Column headers that sort: the first click sorts the "best first" way.
HEADER_SORTS = {
    "name": "name", "status": "status", "architecture": "architecture", "epochs": "-epochs",
    "duration": "-duration", "cond_acc": "-cond_acc", "fid": "fid", "is": "-is", "created": "-created",
}  # fmt: skip


def _list_context(request):
    params = request.GET
    return {
        "statuses": RunStatus.choices,
        "architectures": architecture_choices(),
        "datasets": dataset_list(),
        "sort_options": SORT_OPTIONS,
        "header_sorts": HEADER_SORTS,
        "current": {
            "status": params.get("status", ""),
            "architecture": params.get("architecture", ""),
            "dataset": params.get("dataset", ""),
            "sort": params.get("sort", "") or "-created",
        },
    }


def run_list_page(request):
    context = _list_context(request)
    current = context["current"]
    try:
        runs = run_list(
            status=current["status"] or None,
            architecture=current["architecture"] or None,
            dataset_id=current["dataset"] or None,
            sort=current["sort"],
        )
    except ValidationError as error:
        return render(request, "generator_app/runs.html", {**context, "error": error.messages[0]}, status=400)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.key_options = key_options(run.hyperparameters)
    filtered = any(current[key] for key in ("status", "architecture", "dataset"))
    return render(request, "generator_app/runs.html", {**context, "page": page, "filtered": filtered})


def _get_run(pk):
    try:
        return run_detail(run_id=pk)
    except TrainingRun.DoesNotExist:
        raise Http404("No training run with this id.") from None


def _timings(run):
    """Mean epoch time, total images/s and how much of the run the epochs account for."""
    summary = EpochMetric.objects.filter(run=run).aggregate(
        epochs=Count("id"), mean_epoch=Avg("duration_seconds"), train_seconds=Sum("duration_seconds")
    )
    last = EpochMetric.objects.filter(run=run).order_by("-epoch").values_list("metrics", flat=True).first()
    images_per_second = (last or {}).get("images_per_second")
    return {**summary, "images_per_second": images_per_second}


def run_detail_page(request, pk):
    run = _get_run(pk)
    charset = run_charset(run)
    grids = [
        {"epoch": grid.epoch, "url": reverse("sample_grid_image", args=[grid.pk])}
        for grid in sample_grid_list(run=run).only("pk", "epoch")
    ]
    context = {
        "run": run,
        "charset": charset,
        "key_options": key_options(run.hyperparameters),
        "config_rows": config_rows(config_for_viewer(run.hyperparameters, user=request.user)),
        "timings": _timings(run),
        "grids": grids,
        "latest_grid": grids[-1] if grids else None,
        "charts": run_page_charts(reference=epoch_reference_for_charset(charset)),
        "evaluation": evaluation_view(run.final_evaluation, reference=reference_for_charset(charset)),
        "usefulness": usefulness_for_run(run=run),
        "live": not run.is_finished,
        "page_data": {
            "run": run.pk,
            "status": run.status,
            "live": not run.is_finished,
            "epochs_done": run.epochs_done,
            "api": {
                "run": reverse("run-detail", args=[run.pk]),
                "series": reverse("run-series", args=[run.pk]),
                "samples": reverse("run-samples", args=[run.pk]),
            },
        },
    }
    return render(request, "generator_app/run_detail.html", context)


def run_compare_page(request):
    try:
        run_ids = parse_compare_ids(request.GET.getlist("runs"))
        runs = runs_to_compare(run_ids=run_ids)
    except ValidationError as error:
        return render(request, "generator_app/run_compare.html", {"error": error.messages[0]}, status=400)
    for run in runs:
        run.key_options = key_options(run.hyperparameters)
    charsets = {run_charset(run) for run in runs}
    reference = epoch_reference_for_charset(charsets.pop()) if len(charsets) == 1 else {}
    context = {
        "runs": runs,
        "charts": compare_charts(reference=reference),
        "page_data": {
            "ids": run_ids,
            "api": reverse("run-compare") + "?ids=" + ",".join(map(str, run_ids)),
        },
    }
    return render(request, "generator_app/run_compare.html", context)


def run_training_gif(request, pk):
    run = _get_run(pk)
    if not run.training_gif:
        raise Http404("This run has no training GIF (it is made when a run ends).")
    try:
        handle = run.training_gif.open("rb")
    except FileNotFoundError:
        raise Http404("The training GIF file of this run is missing.") from None
    download = request.GET.get("download") == "1"
    return FileResponse(
        handle, as_attachment=download, filename=f"{export_name(run)}.gif", content_type="image/gif"
    )


def _csv_response(rows, filename):
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def run_epochs_csv(request, pk):
    run = _get_run(pk)
    return _csv_response(epoch_csv_rows(run), f"{export_name(run)}-epochs.csv")


def run_steps_csv(request, pk):
    run = _get_run(pk)
    return _csv_response(step_csv_rows(run), f"{export_name(run)}-steps.csv")


def run_tensorboard_zip(request, pk):
    run = _get_run(pk)
    return FileResponse(
        tensorboard_zip(run), as_attachment=True, filename=f"{export_name(run)}-tensorboard.zip",
        content_type="application/zip",
    )  # fmt: skip

