"""Serializers of the run browser API: runs, list rows with summaries, the detail, epochs, grids,
compact series, compare.

The series and compare shapes are built by selectors; their serializers here exist so
the OpenAPI schema documents them (and so they are validated the same way everywhere).
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from generator_app.models import EpochMetric, RunStatus, SampleGrid, TrainingRun
from generator_app.models.validators import validate_architecture_name
from generator_app.selectors.run_visibility import STAFF_ONLY_RUN_FIELDS, public_config, sees_server_details
from generator_app.selectors.runs import BEST_METRICS, MAX_ID, SORT_FIELDS
from generator_app.views.run_display import key_options

SORT_CHOICES = sorted(SORT_FIELDS) + sorted(f"-{key}" for key in SORT_FIELDS)


def absolute(request, url):
    return request.build_absolute_uri(url) if request else url


def grid_image_url(request, grid_id):
    return absolute(request, reverse("sample_grid_image", args=[grid_id])) if grid_id else None


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


class BestMetricsSerializer(serializers.Serializer):
    """Best value so far of each quality metric (max, or min for FID); null when never measured."""

    cond_acc = serializers.FloatField(allow_null=True)
    cond_acc_min_class = serializers.FloatField(allow_null=True)
    is_ = serializers.FloatField(allow_null=True)
    bcis = serializers.FloatField(allow_null=True)
    fid = serializers.FloatField(allow_null=True)

    def to_representation(self, run):
        return {metric: getattr(run, f"best_{metric}", None) for metric in BEST_METRICS}

    def get_fields(self):  # "is" is a Python keyword: declared as is_, published as is
        fields = super().get_fields()
        fields["is"] = fields.pop("is_")
        return fields


class RunListSerializer(TrainingRunSerializer):
    """A list row: the run plus its summaries (annotated by ``selectors.runs.with_summaries``)."""

    best = BestMetricsSerializer(source="*", read_only=True)
    key_options = serializers.SerializerMethodField()
    duration_seconds = serializers.SerializerMethodField()
    latest_grid_epoch = serializers.IntegerField(read_only=True, allow_null=True)
    latest_grid_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta(TrainingRunSerializer.Meta):
        fields = [
            *TrainingRunSerializer.Meta.fields,
            "key_options",
            "duration_seconds",
            "best",
            "latest_grid_epoch",
            "latest_grid_url",
            "page_url",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_key_options(self, run):
        return key_options(run.hyperparameters)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_duration_seconds(self, run):
        duration = run.duration
        return round(duration.total_seconds(), 3) if duration is not None else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_latest_grid_url(self, run):
        return grid_image_url(self.context.get("request"), getattr(run, "latest_grid_id", None))

    @extend_schema_field(serializers.URLField())
    def get_page_url(self, run):
        return absolute(self.context.get("request"), reverse("run_detail", args=[run.pk]))


class RunDetailSerializer(RunListSerializer):
    """One run: everything in a list row, its final evaluation and its training GIF."""

    training_gif_url = serializers.SerializerMethodField()

    class Meta(RunListSerializer.Meta):
        fields = [
            *RunListSerializer.Meta.fields,
            "package_versions",
            "error_details",
            "final_evaluation",
            "training_gif_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_training_gif_url(self, run):
        if not run.training_gif:
            return None
        return absolute(self.context.get("request"), reverse("run_training_gif", args=[run.pk]))


def _column():
    return serializers.ListField(child=serializers.FloatField(allow_null=True))


_ID = "[1-9][0-9]{0,17}"  # a positive bigint
MAX_EPOCH = 2**31 - 1  # the column's range: a larger number is a malformed request, not a missing row


class RunListQuerySerializer(serializers.Serializer):
    """The list's filters; an empty or unknown value is a 400, never an unfiltered page."""

    status = serializers.ChoiceField(
        choices=RunStatus.values, required=False, help_text="Only runs in this status",
        error_messages={"invalid_choice": f"Unknown status \"{{input}}\"; use one of {', '.join(RunStatus.values)}."},
    )  # fmt: skip
    architecture = serializers.RegexField(
        validate_architecture_name.regex, required=False, help_text="Only runs of this architecture",
        error_messages={"invalid": validate_architecture_name.message},
    )
    dataset = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Only runs trained on this dataset id"
    )
    sort = serializers.ChoiceField(
        choices=SORT_CHOICES, required=False,
        help_text="Column to sort on, '-' for descending (default -created); empty values last",
        error_messages={
            "invalid_choice": f"Unknown sort \"{{input}}\"; use one of {', '.join(sorted(SORT_FIELDS))} "
            "(prefix '-' for descending)."
        },
    )  # fmt: skip


class SeriesQuerySerializer(serializers.Serializer):
    scale = serializers.ChoiceField(choices=["epoch", "step"], default="epoch")
    after_epoch = serializers.IntegerField(min_value=0, max_value=MAX_EPOCH, default=0)


class SeriesSerializer(serializers.Serializer):
    """Columns sharing one x axis: ``series[name][i]`` is the value at ``x[i]`` (null: none)."""

    run = serializers.IntegerField()
    scale = serializers.ChoiceField(choices=["epoch", "step"])
    x = serializers.ListField(child=serializers.IntegerField(), help_text="epochs, or global steps")
    step = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="epoch scale: global step at each epoch's end"
    )
    epoch = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="step scale: the epoch of each point"
    )
    bucket = serializers.IntegerField(required=False, help_text="step scale: logged points averaged per point")
    series = serializers.DictField(child=_column())
    status = serializers.CharField()
    epochs_done = serializers.IntegerField()
    epochs_total = serializers.IntegerField()


class SamplesQuerySerializer(serializers.Serializer):
    epoch = serializers.IntegerField(
        min_value=0, max_value=MAX_EPOCH, required=False, help_text="only the grid of this epoch"
    )
    after_epoch = serializers.IntegerField(
        min_value=0, max_value=MAX_EPOCH, required=False, help_text="only grids after this epoch"
    )


@extend_schema_field({"type": "string", "pattern": rf"^{_ID}(?:,{_ID}){{1,3}}$", "example": "3,5"})
class RunIdsField(serializers.CharField):
    """The selector parses the ids, with messages that say what is wrong; the schema gives the shape."""


class CompareQuerySerializer(serializers.Serializer):
    ids = RunIdsField(help_text="2 to 4 different run ids, comma-separated, e.g. 3,5,8")
    epoch = serializers.IntegerField(
        min_value=0, max_value=MAX_EPOCH, required=False, help_text="epoch of the side-by-side grids (default: the last all runs reached)"
    )


class GridRefSerializer(serializers.Serializer):
    epoch = serializers.IntegerField()
    image_url = serializers.URLField()


class GridAtEpochSerializer(serializers.Serializer):
    requested = serializers.IntegerField()
    epoch = serializers.IntegerField(allow_null=True, help_text="the epoch shown; differs when clamped")
    clamped = serializers.BooleanField(help_text="the run has no grid at the requested epoch")
    image_url = serializers.URLField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class CompareRunSerializer(serializers.Serializer):
    run = RunListSerializer()
    series = serializers.DictField(child=_column(), help_text="aligned on the response's x")
    grids = GridRefSerializer(many=True)
    grid_at_epoch = GridAtEpochSerializer()


class CompareSerializer(serializers.Serializer):
    x = serializers.ListField(child=serializers.IntegerField(), help_text="epochs of any of the runs")
    epoch = serializers.IntegerField()
    max_epoch = serializers.IntegerField()
    reference = serializers.DictField(
        child=serializers.FloatField(), help_text="real-data values, when all runs draw the same charset"
    )
    runs = CompareRunSerializer(many=True)
