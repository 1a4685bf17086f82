"""Read-only viewsets for datasets; the run browser's viewset lives in ``runs.py``."""

from rest_framework import viewsets

from generator_app.selectors.runs import dataset_list

from .serializers import DatasetSerializer


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DatasetSerializer

    def get_queryset(self):
        return dataset_list()
