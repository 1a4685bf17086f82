"""Training runs and what they leave behind (metrics, sample grids)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from generator_app.models import EpochMetric, SampleGrid, TrainingRun


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "name",
        "architecture",
        "status",
        "progress_display",
        "queue",
        "worker_host",
        "attempts",
        "created_by",
        "created_at",
    ]
    list_display_links = ["id", "name"]
    list_filter = ["status", "architecture", "queue", "backend", "datasets"]
    search_fields = ["id", "name", "architecture", "worker_host", "code_version", "error_message"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    filter_horizontal = ["datasets"]
    readonly_fields = [
        "created_by",
        "progress_display",
        "duration",
        "worker_host",
        "device",
        "backend",
        "code_version",
        "package_versions",
        "celery_task_id",
        "attempts",
        "heartbeat_at",
        "created_at",
        "started_at",
        "finished_at",
        "updated_at",
        "error_details",
        "metric_count",
        "final_evaluation",
        "training_gif",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "datasets",
                    "architecture",
                    "hyperparameters",
                    "seed",
                    "queue",
                    "created_by",
                ]
            },
        ),
        (
            "Progress",
            {
                "fields": [
                    "status",
                    "progress_display",
                    "epochs_total",
                    "epochs_done",
                    "steps_total",
                    "steps_done",
                    "metric_count",
                    "duration",
                ]
            },
        ),
        (
            "Where it ran",
            {
                "fields": [
                    "worker_host",
                    "device",
                    "backend",
                    "code_version",
                    "package_versions",
                    "celery_task_id",
                    "attempts",
                    "heartbeat_at",
                ]
            },
        ),
        ("Times", {"fields": ["created_at", "started_at", "finished_at", "updated_at"]}),
        ("Results", {"fields": ["final_evaluation", "training_gif"]}),
        ("Failure", {"fields": ["error_message", "error_details"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="progress")
    def progress_display(self, run):
        return f"{run.epochs_done}/{run.epochs_total} epochs ({run.progress:.0%})"

    @admin.display(description="duration")
    def duration(self, run):
        value = run.duration
        return str(value).split(".")[0] if value is not None else "—"

    @admin.display(description="epochs recorded")
    def metric_count(self, run):
        return run.epoch_metrics.count() if run.pk else 0


@admin.register(EpochMetric)
class EpochMetricAdmin(admin.ModelAdmin):
    list_display = ["run", "epoch", "step", "losses_summary", "duration_seconds", "recorded_at"]
    list_filter = ["run__status", "run__architecture"]
    search_fields = ["run__id", "run__name"]
    list_select_related = ["run"]
    readonly_fields = ["recorded_at", "losses_summary"]
    raw_id_fields = ["run"]

    @admin.display(description="losses")
    def losses_summary(self, metric):
        values = metric.losses if isinstance(metric.losses, dict) else {}
        return ", ".join(
            f"{k}={v:.4g}" if isinstance(v, int | float) else f"{k}={v}" for k, v in values.items()
        )


@admin.register(SampleGrid)
class SampleGridAdmin(admin.ModelAdmin):
    list_display = ["run", "epoch", "thumbnail", "created_at"]
    list_filter = ["run__status", "run__architecture"]
    search_fields = ["run__id", "run__name"]
    list_select_related = ["run"]
    readonly_fields = ["thumbnail", "created_at"]
    raw_id_fields = ["run"]

    @admin.display(description="preview")
    def thumbnail(self, grid):
        if not grid.pk or not grid.image:
            return "—"
        return format_html(
            '<img src="{}" alt="epoch {}" style="max-height:96px">',
            reverse("sample_grid_image", args=[grid.pk]),
            grid.epoch,
        )
