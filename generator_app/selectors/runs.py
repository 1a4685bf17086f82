"""Reads behind the run pages and the run API.

The list annotates each run with what its row shows (best quality figures so far, the
latest sample grid, the duration) as correlated subqueries, so one page of runs costs a
fixed number of queries whatever its size, and any of those columns can be sorted on.
"""

from django.core.exceptions import ValidationError
from django.db.models import DurationField, ExpressionWrapper, F, FloatField, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Now

from generator_app.models import Dataset, EpochMetric, RunStatus, SampleGrid, TrainingRun

# Quality metrics summarised per run: key in EpochMetric.metrics -> which end is best.
BEST_METRICS = {
    "cond_acc": "max",
    "cond_acc_min_class": "max",
    "is": "max",
    "bcis": "max",
    "fid": "min",
}

# ?sort= values: a column, "-" in front for descending. Empty values always sort last.
SORT_FIELDS = {
    "created": "created_at",
    "name": "name",
    "status": "status",
    "architecture": "architecture",
    "epochs": "epochs_done",
    "duration": "wall_time",
    **{metric: f"best_{metric}" for metric in BEST_METRICS},
}
DEFAULT_SORT = "-created"

MIN_COMPARE, MAX_COMPARE = 2, 4
MAX_ARCHITECTURE_LENGTH = TrainingRun._meta.get_field("architecture").max_length
MAX_ID = 2**63 - 1
UNKNOWN_RUN = "unknown_run"  # ValidationError code: well-formed ids that name no run (the API's 404)


def _is_id(value):
    """A database id as text: ASCII digits only ("²".isdigit() is true, int("²") fails), in range."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


def _best_metric(metric, best):
    value = Cast(KT(f"metrics__{metric}"), FloatField())
    order = F("value").desc(nulls_last=True) if best == "max" else F("value").asc(nulls_last=True)
    return Subquery(
        EpochMetric.objects.filter(run=OuterRef("pk"))
        .annotate(value=value)
        .filter(value__isnull=False)
        .order_by(order)
        .values("value")[:1],
        output_field=FloatField(),
    )


def _latest_grid(field):
    return Subquery(SampleGrid.objects.filter(run=OuterRef("pk")).order_by("-epoch").values(field)[:1])


def with_summaries(runs):
    """Annotate ``best_<metric>``, ``latest_grid_id``/``latest_grid_epoch`` and ``wall_time``."""
    return runs.annotate(
        **{f"best_{metric}": _best_metric(metric, best) for metric, best in BEST_METRICS.items()},
        latest_grid_id=_latest_grid("pk"),
        latest_grid_epoch=_latest_grid("epoch"),
        wall_time=ExpressionWrapper(Coalesce("finished_at", Now()) - F("started_at"), output_field=DurationField()),
    )


def _order(runs, sort):
    sort = sort or DEFAULT_SORT
    field = SORT_FIELDS.get(sort.lstrip("-"))
    if field is None:
        choices = ", ".join(sorted(SORT_FIELDS))
        raise ValidationError(f"Unknown sort {sort!r}; use one of {choices} (prefix '-' for descending).")
    expression = F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    return runs.order_by(expression, "-id")


def run_list(*, status=None, architecture=None, dataset_id=None, sort=None):
    """Runs with their list-row summaries, filtered and sorted.

    Raises ``ValidationError`` for a filter or sort value that cannot match (an unknown
    status, a non-numeric dataset id), so the caller can answer 400 instead of an empty
    page that hides the typo.
    """
    runs = TrainingRun.objects.select_related("created_by").prefetch_related("datasets")
    if status:
        if status not in RunStatus.values:
            raise ValidationError(f"Unknown status {status!r}; use one of {', '.join(RunStatus.values)}.")
        runs = runs.filter(status=status)
    if architecture:
        if len(architecture) > MAX_ARCHITECTURE_LENGTH or "\x00" in architecture:
            raise ValidationError(f"architecture must be a name of up to {MAX_ARCHITECTURE_LENGTH} characters.")
        runs = runs.filter(architecture=architecture)
    if dataset_id:
        if not _is_id(dataset_id):
            raise ValidationError(f"dataset must be a dataset id, got {dataset_id!r}.")
        runs = runs.filter(pk__in=TrainingRun.objects.filter(datasets__id=int(dataset_id)).values("pk"))
    return _order(with_summaries(runs), sort)


def run_detail(*, run_id):
    """One run with its summaries; ``TrainingRun.DoesNotExist`` when absent."""
    return with_summaries(TrainingRun.objects.select_related("created_by").prefetch_related("datasets")).get(
        pk=run_id
    )


def architecture_choices():
    """Architectures that some run used, for the list filter."""
    return list(TrainingRun.objects.order_by("architecture").values_list("architecture", flat=True).distinct())


def parse_compare_ids(raw):
    """``"3,5,8"`` (or a list of strings) -> [3, 5, 8]; ValidationError unless 2-4 distinct ids."""
    parts = raw if isinstance(raw, list | tuple) else str(raw or "").split(",")
    parts = [part.strip() for value in parts for part in str(value).split(",") if part.strip()]
    if not all(_is_id(part) for part in parts):
        raise ValidationError("Runs to compare must be given as run ids, e.g. runs=3,5.")
    ids = list(dict.fromkeys(int(part) for part in parts))
    if not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        raise ValidationError(f"Pick {MIN_COMPARE} to {MAX_COMPARE} different runs to compare (got {len(ids)}).")
    return ids


def runs_to_compare(*, run_ids):
    """The runs in the order asked; ValidationError naming any id that does not exist."""
    runs = {run.pk: run for run in run_list().filter(pk__in=run_ids)}
    missing = [str(run_id) for run_id in run_ids if run_id not in runs]
    if missing:
        raise ValidationError(f"No run with id {', '.join(missing)}.", code=UNKNOWN_RUN)
    return [runs[run_id] for run_id in run_ids]


def dataset_list():
    return Dataset.objects.all()


def epoch_metric_list(*, run):
    return EpochMetric.objects.filter(run=run).order_by("epoch")


def sample_grid_list(*, run, epoch=None):
    grids = SampleGrid.objects.filter(run=run).order_by("epoch")
    return grids.filter(epoch=epoch) if epoch is not None else grids


def grid_at_epoch(grids, epoch):
    """The grid to show for ``epoch`` among ``grids`` (epoch-ordered), and whether it is a stand-in.

    Runs of different lengths are compared at one epoch: a run that stopped earlier
    shows its last grid, one that skipped an epoch shows the nearest earlier grid.
    Returns ``(grid or None, clamped)``.
    """
    best = None
    for grid in grids:
        if grid.epoch > epoch:
            break
        best = grid
    if best is None and grids:
        return grids[0], True
    return best, best is not None and best.epoch != epoch


def pick_evenly(items, limit):
    """At most ``limit`` items spread over ``items``, first and last included (a run's grids in a
    GIF or an export)."""
    if len(items) <= limit:
        return list(items)
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]
