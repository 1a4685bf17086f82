"""Read-only viewsets for datasets, runs and each run's metrics and sample grids."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from generator_app.models import RunStatus
from generator_app.selectors.runs import dataset_list, epoch_metric_list, run_list, sample_grid_list

from .serializers import DatasetSerializer, EpochMetricSerializer, SampleGridSerializer, TrainingRunSerializer


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DatasetSerializer

    def get_queryset(self):
        return dataset_list()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=RunStatus.values, description="Only runs in this status"
            ),
            OpenApiParameter("architecture", OpenApiTypes.STR, description="Only runs of this architecture"),
            OpenApiParameter("dataset", OpenApiTypes.INT, description="Only runs trained on this dataset id"),
        ]
    )
)
class TrainingRunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingRunSerializer

    def get_queryset(self):
        if self.action != "list":
            return run_list()
        params = self.request.query_params
        try:
            return run_list(
                status=params.get("status"),
                architecture=params.get("architecture"),
                dataset_id=params.get("dataset"),
            )
        except ValidationError as error:
            raise ApiValidationError({"detail": error.messages}) from None

    # A run has at most a few thousand epochs: the whole series comes in one response,
    # so a chart needs one request.
    @extend_schema(responses=EpochMetricSerializer(many=True))
    @action(detail=True, serializer_class=EpochMetricSerializer, pagination_class=None)
    def metrics(self, request, pk=None):
        """Every epoch's losses and metrics, oldest first."""
        return Response(self.get_serializer(epoch_metric_list(run=self.get_object()), many=True).data)

    @extend_schema(responses=SampleGridSerializer(many=True))
    @action(detail=True, serializer_class=SampleGridSerializer, pagination_class=None)
    def samples(self, request, pk=None):
        """The run's sample grid images, one per saved epoch, oldest first."""
        return Response(self.get_serializer(sample_grid_list(run=self.get_object()), many=True).data)
