"""The run browser API: runs with summaries, compact metric series, sample grids, compare.

Read-only for every signed-in user. Each chart of the run pages is fed by one request:
``series`` returns whole columns (all epochs, or all logged steps), ``compare`` returns
every run's columns on one shared axis.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from generator_app.selectors.run_compare import compare_runs
from generator_app.selectors.run_series import epoch_series, step_series
from generator_app.selectors.runs import (
    UNKNOWN_RUN,
    epoch_metric_list,
    parse_compare_ids,
    run_list,
    sample_grid_list,
)

from .run_serializers import (
    CompareQuerySerializer,
    CompareSerializer,
    EpochMetricSerializer,
    RunDetailSerializer,
    RunListQuerySerializer,
    RunListSerializer,
    SampleGridSerializer,
    SamplesQuerySerializer,
    SeriesQuerySerializer,
    SeriesSerializer,
    grid_image_url,
)


def _query(serializer_class, request):
    """Validated query parameters; a plain dict, so that an empty ``?status=`` is a 400 (DRF reads
    an empty form value as "not given", which would answer an unfiltered list)."""
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(list=extend_schema(parameters=[RunListQuerySerializer]))
class TrainingRunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RunDetailSerializer  # actions below name their own

    def get_serializer_class(self):
        return RunListSerializer if self.action == "list" else super().get_serializer_class()

    def get_queryset(self):
        if self.action != "list":
            return run_list()
        query = _query(RunListQuerySerializer, self.request)
        return run_list(
            status=query.get("status"),
            architecture=query.get("architecture"),
            dataset_id=query.get("dataset"),
            sort=query.get("sort"),
        )

    # A run has at most a few thousand epochs: the whole series comes in one response,
    # so a chart needs one request.
    @extend_schema(responses=EpochMetricSerializer(many=True))
    @action(detail=True, serializer_class=EpochMetricSerializer, pagination_class=None)
    def metrics(self, request, pk=None):
        """Every epoch's losses and metrics as rows, oldest first."""
        return Response(self.get_serializer(epoch_metric_list(run=self.get_object()), many=True).data)

    @extend_schema(parameters=[SeriesQuerySerializer], responses=SeriesSerializer)
    @action(detail=True, pagination_class=None)
    def series(self, request, pk=None):
        """Metric columns for charts: per epoch (losses, metrics, timings) or per logged step.

        ``after_epoch`` returns only later epochs, for a page that appends new points.
        """
        query = _query(SeriesQuerySerializer, request)
        run = self.get_object()
        build = epoch_series if query["scale"] == "epoch" else step_series
        data = build(run=run, after_epoch=query["after_epoch"])
        data.update(run=run.pk, status=run.status, epochs_done=run.epochs_done, epochs_total=run.epochs_total)
        return Response(data)

    @extend_schema(parameters=[SamplesQuerySerializer], responses=SampleGridSerializer(many=True))
    @action(detail=True, serializer_class=SampleGridSerializer, pagination_class=None)
    def samples(self, request, pk=None):
        """The run's sample grid images, one per saved epoch, oldest first (or the one of ``epoch``)."""
        query = _query(SamplesQuerySerializer, request)
        grids = sample_grid_list(run=self.get_object(), epoch=query.get("epoch"))
        if "after_epoch" in query:
            grids = grids.filter(epoch__gt=query["after_epoch"])
        return Response(self.get_serializer(grids, many=True).data)

    @extend_schema(parameters=[CompareQuerySerializer], responses=CompareSerializer)
    @action(detail=False, pagination_class=None)
    def compare(self, request):
        """2-4 runs: their epoch series on one shared axis and their grids at one epoch.

        A run without a grid at ``epoch`` (shorter, or still running) shows its nearest
        earlier grid; ``grid_at_epoch.clamped`` and ``note`` say so. Ids of no run: 404.
        """
        query = _query(CompareQuerySerializer, request)
        try:
            data = compare_runs(run_ids=parse_compare_ids(query["ids"]), epoch=query.get("epoch"))
        except ValidationError as error:
            if error.code == UNKNOWN_RUN:
                raise NotFound(error.messages[0]) from None
            raise
        context = self.get_serializer_context()
        runs = []
        for entry in data["runs"]:
            at = entry["grid_at_epoch"]
            grid = at["grid"]
            runs.append(
                {
                    "run": RunListSerializer(entry["run"], context=context).data,
                    "series": entry["series"],
                    "grids": [
                        {"epoch": g.epoch, "image_url": grid_image_url(request, g.pk)} for g in entry["grids"]
                    ],
                    "grid_at_epoch": {
                        "requested": at["requested"],
                        "epoch": grid.epoch if grid else None,
                        "clamped": at["clamped"],
                        "image_url": grid_image_url(request, grid.pk) if grid else None,
                        "note": at["note"],
                    },
                }
            )
        return Response({**{k: data[k] for k in ("x", "epoch", "max_epoch", "reference")}, "runs": runs})
