"""Reads behind the run pages and the run API."""

from django.core.exceptions import ValidationError

from generator_app.models import Dataset, EpochMetric, RunStatus, SampleGrid, TrainingRun


def run_list(*, status=None, architecture=None, dataset_id=None):
    """Runs newest first, with what a list row shows loaded in a fixed number of queries.

    Raises ``ValidationError`` for a filter value that cannot match (an unknown status),
    so the caller can answer 400 instead of an empty page that hides the typo.
    """
    runs = TrainingRun.objects.select_related("created_by").prefetch_related("datasets")
    if status:
        if status not in RunStatus.values:
            raise ValidationError(f"Unknown status {status!r}; use one of {', '.join(RunStatus.values)}.")
        runs = runs.filter(status=status)
    if architecture:
        runs = runs.filter(architecture=architecture)
    if dataset_id:
        if not str(dataset_id).isdigit():
            raise ValidationError(f"dataset must be a dataset id, got {dataset_id!r}.")
        runs = runs.filter(datasets__id=int(dataset_id)).distinct()
    return runs


def dataset_list():
    return Dataset.objects.all()


def epoch_metric_list(*, run):
    return EpochMetric.objects.filter(run=run).order_by("epoch")


def sample_grid_list(*, run):
    return SampleGrid.objects.filter(run=run).order_by("epoch")
