"""Training runs and what they leave behind (metrics, sample grids).

A run is launched from the "New training run" form (the add page), watched on its change
page (a progress panel that polls ``<id>/progress/`` while the run is active), and
cancelled, resumed, cloned or deleted behind confirmation pages. Every write is a call
into ``generator_app.services.training``.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from generator_app.models import EpochMetric, RunStatus, SampleGrid, TrainingRun
from generator_app.selectors.run_progress import run_progress
from generator_app.services.training import clone_options, delete_run, start_training_run

from .run_actions import cancel_selected, clone_selected, object_operation_view, resume_selected
from .run_forms import NewTrainingRunForm

NEW_RUN_TEMPLATE = "admin/generator_app/trainingrun/new_run.html"
EDITABLE_FIELDS = {"name"}  # a launched run's configuration is its record: only the label changes


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    change_form_template = "admin/generator_app/trainingrun/change_form.html"
    list_display = [
        "id",
        "name",
        "architecture",
        "status",
        "progress_display",
        "queue",
        "worker_host",
        "created_at",
    ]  # attempts and created_by are on each run's page: ten columns did not fit a 1,280 px screen
    list_display_links = ["id", "name"]
    list_filter = ["status", "architecture", "queue", "backend", "datasets"]
    search_fields = ["id", "name", "architecture", "worker_host", "code_version", "error_message"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    actions = [cancel_selected, resume_selected, clone_selected, "delete_selected"]
    fieldsets = [
        (None, {"fields": ["name", "datasets", "architecture", "hyperparameters", "seed", "queue", "created_by"]}),
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
                    "recoveries",
                    "heartbeat_at",
                    "dispatched_at",
                ]
            },
        ),
        ("Times", {"fields": ["created_at", "started_at", "finished_at", "updated_at"]}),
        ("Results", {"fields": ["final_evaluation", "training_gif"]}),
        ("Sweep trial", {"fields": ["sweep", "trial_number", "optuna_trial_id", "trial_params", "pruned_reason"]}),
        ("Failure", {"fields": ["error_message", "error_details"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        computed = ["progress_display", "duration", "metric_count"]
        return computed + [
            field.name
            for field in TrainingRun._meta.get_fields()
            if field.concrete and field.name not in EDITABLE_FIELDS and not field.auto_created
        ]

    # --- launching ----------------------------------------------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        """The "New training run" form: valid input starts a run, invalid input starts nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = NewTrainingRunForm(request.POST)
            if form.is_valid():
                try:
                    run = start_training_run(
                        dataset=form.cleaned_data["dataset"],
                        architecture=form.cleaned_data["architecture"],
                        options=form.trainer_options(),
                        queue=form.cleaned_data["queue"],
                        name=form.cleaned_data["name"],
                        created_by=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    self.log_addition(request, run, [{"added": {}}])
                    if run.dispatched_at is None:  # the broker refused the message (see enqueue_training_run)
                        self.message_user(
                            request,
                            f"{run} is saved and queued, but the task broker could not be reached; it will be "
                            f"sent automatically once the broker is back (checked every "
                            f"{settings.HANDGEN_RUN_RECOVERY_INTERVAL:g} s).",
                            messages.WARNING,
                        )
                    else:
                        self.message_user(request, f"{run} queued on '{run.queue}'.", messages.SUCCESS)
                    return redirect(reverse("admin:generator_app_trainingrun_change", args=[run.pk]))
        else:
            form = NewTrainingRunForm(initial=self._initial(request))
        context = {
            **self.admin_site.each_context(request),
            "title": "New training run",
            "opts": self.model._meta,
            "form": form,
            "page_data": NewTrainingRunForm.page_data(),
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, NEW_RUN_TEMPLATE, context)

    def _initial(self, request):
        source = request.GET.get("clone")
        if not (source and source.isdigit()):
            return {}
        run = TrainingRun.objects.filter(pk=int(source)).first()
        if run is None:
            self.message_user(request, f"There is no run {source} to clone.", messages.WARNING)
            return {}
        base = clone_options(run)
        initial = NewTrainingRunForm.initial_from_options(architecture=base["architecture"], options=base["options"])
        return {**initial, "name": base["name"], "dataset": base["dataset"], "architecture": base["architecture"],
                "queue": base["queue"]}  # fmt: skip

    # --- watching and per-run operations --------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/progress/", wrap(self.progress_view), name="generator_app_trainingrun_progress"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="generator_app_trainingrun_cancel"),
            path("<int:pk>/resume/", wrap(self.resume_view), name="generator_app_trainingrun_resume"),
            *super().get_urls(),
        ]

    def _run_for(self, request, pk, *, change=False):
        run = get_object_or_404(TrainingRun, pk=pk)
        allowed = self.has_change_permission(request, run) if change else self.has_view_permission(request, run)
        if not allowed:
            raise PermissionDenied
        return run

    def progress_view(self, request, pk):
        return JsonResponse(run_progress(run=self._run_for(request, pk)))

    def cancel_view(self, request, pk):
        return object_operation_view(self, request, self._run_for(request, pk, change=True), "cancel")

    def resume_view(self, request, pk):
        return object_operation_view(self, request, self._run_for(request, pk, change=True), "resume")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["progress"] = run_progress(run=obj)
            context["can_cancel"] = obj.status in (RunStatus.QUEUED, RunStatus.RUNNING)
            context["can_resume"] = obj.status in (RunStatus.CANCELLED, RunStatus.FAILED)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # --- deleting (with the run's files) ----------------------------------------------------
    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == RunStatus.RUNNING:
            return False  # cancel first: a worker is writing to it
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        delete_run(run=obj)

    def delete_queryset(self, request, queryset):
        refused = []
        for run in queryset:
            try:
                delete_run(run=run)
            except ValidationError as error:
                refused.append(" ".join(error.messages))
        if refused:
            self.message_user(request, "Not deleted: " + " ".join(refused), messages.WARNING)

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
