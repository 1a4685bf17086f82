"""Output serializers: small, one per resource, no writes."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from generator_app.models import Dataset, EpochMetric, SampleGrid, TrainingRun
from generator_app.selectors.run_visibility import STAFF_ONLY_RUN_FIELDS, public_config, sees_server_details


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


class TrainingRunSerializer(serializers.ModelSerializer):
    datasets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    progress = serializers.FloatField(read_only=True)

    class Meta:
        model = TrainingRun
        fields = [
            "id",
            "name",
            "datasets",
            "architecture",
            "hyperparameters",
            "seed",
            "status",
            "queue",
            "epochs_total",
            "epochs_done",
            "steps_total",
            "steps_done",
            "progress",
            "worker_host",
            "device",
            "backend",
            "code_version",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "error_message",
            "created_by",
        ]
        extra_kwargs = {
            "worker_host": {"help_text": "staff only: null for others"},
            "code_version": {"help_text": "git commit; staff only: null for others"},
        }

    def get_fields(self):
        """Server details are nullable for everyone in the schema: only staff get values."""
        fields = super().get_fields()
        for name in STAFF_ONLY_RUN_FIELDS:
            if name in fields:
                fields[name].allow_null = True
        return fields

    def to_representation(self, run):
        data = super().to_representation(run)
        request = self.context.get("request")
        if not sees_server_details(getattr(request, "user", None)):
            for name in STAFF_ONLY_RUN_FIELDS:
                if name in data:
                    data[name] = None
            if "hyperparameters" in data:
                data["hyperparameters"] = public_config(data["hyperparameters"])
        return data


class EpochMetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = EpochMetric
        fields = ["epoch", "step", "losses", "metrics", "duration_seconds", "recorded_at"]


class SampleGridSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = SampleGrid
        fields = ["id", "epoch", "image_url", "created_at"]

    @extend_schema_field(serializers.URLField())
    def get_image_url(self, grid):
        url = reverse("sample_grid_image", args=[grid.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
