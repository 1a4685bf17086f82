"""The dataset list and detail: read-only, for every signed-in user."""

from rest_framework import serializers, viewsets

from generator_app.models import Dataset
from generator_app.selectors.runs import dataset_list


class DatasetSerializer(serializers.ModelSerializer):
    total_examples = serializers.IntegerField(read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "kind",
            "charset",
            "source_url",
            "file_sha256",
            "split_counts",
            "class_histogram",
            "total_examples",
            "created_at",
        ]


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DatasetSerializer

    def get_queryset(self):
        return dataset_list()
