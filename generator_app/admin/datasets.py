"""Datasets in the admin: the list with a balance verdict, a page per dataset with its preview
montage, class-balance chart and checksums, and an "Upload a dataset (ZIP)" page.

Imports and deletions go through ``generator_app.services.datasets``.
"""

import contextlib
import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from generator_app.models import Dataset, DatasetDownload, DatasetRelease
from generator_app.selectors.datasets import PREFERRED_FORMATS as REAL_FORMATS
from generator_app.services.dataset_download import start_dataset_download
from generator_app.services.datasets import delete_dataset, import_dataset
from generator_app.services.run_config import ml_dataset_for
from ml.data.report import NEAR_BALANCED_RATIO, advice, balance_report
from ml.data.sources import default_data_root
from ml.train.config import ConfigError

from .dataset_forms import DatasetUploadForm

UPLOAD_TEMPLATE = "admin/generator_app/dataset/upload.html"


def _main_histogram(dataset):
    """The train split's histogram (what training samples from), else the first split's."""
    histograms = dataset.class_histogram if isinstance(dataset.class_histogram, dict) else {}
    return histograms.get("train") or next(iter(histograms.values()), {})


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    change_list_template = "admin/generator_app/dataset/change_list.html"
    list_display = ["name", "kind", "source_format", "charset", "total_examples", "balance", "run_count",
                    "created_at"]
    list_filter = ["kind", "source_format", "charset"]
    search_fields = ["name", "storage_path", "source_url"]
    readonly_fields = ["created_at", "total_examples", "run_count", "preview_image", "balance_chart",
                       "checksums", "training_config", "import_details"]
    date_hierarchy = "created_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "kind", "charset", "source_format", "storage_path", "source_url",
                           "total_examples", "split_counts", "run_count", "created_at"]}),
        ("Preview", {"fields": ["preview_image"]}),
        ("Class balance", {"fields": ["balance_chart"]}),
        ("Provenance", {"fields": ["checksums", "training_config", "import_details"]}),
        ("Raw data", {"classes": ["collapse"],
                      "fields": ["class_histogram", "file_sha256", "charset_spec", "import_report", "preview"]}),
    ]

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name=f"{prefix}_upload"),
            path("download/", self.admin_site.admin_view(self.download_view), name=f"{prefix}_download"),
            path("download/<int:pk>/progress/", self.admin_site.admin_view(self.download_progress_view),
                 name=f"{prefix}_download_progress"),
            path("<int:pk>/preview.png", self.admin_site.admin_view(self.preview_view), name=f"{prefix}_preview"),
            *super().get_urls(),
        ]

    # --- list and page columns -------------------------------------------------------------
    @admin.display(description="examples")
    def total_examples(self, dataset):
        if not dataset.split_counts and not dataset.source_format:
            return "not counted (entered by hand, not imported)"
        return dataset.total_examples

    @admin.display(description="runs")
    def run_count(self, dataset):
        return dataset.training_runs.count()

    @admin.display(description="balance")
    def balance(self, dataset):
        report = balance_report(_main_histogram(dataset))
        if report["ratio"] is None:
            return "-"
        return f"{report['verdict']} ({report['ratio']:.2f}x)"

    @admin.display(description="preview")
    def preview_image(self, dataset):
        if not dataset.pk or not dataset.preview:
            return "No preview (import a dataset to get one)."
        url = reverse("admin:generator_app_dataset_preview", args=[dataset.pk])
        try:
            width = 2 * dataset.preview.width  # 28 px glyphs are easier to judge at twice the size
        except (OSError, ValueError):
            width = 400
        return format_html('<img src="{}" alt="samples of every class of {}" style="width:{}px;max-width:100%;'
                           'image-rendering:pixelated;border:1px solid var(--hairline-color)">', url, dataset.name,
                           width)

    @admin.display(description="class balance (train split)")
    def balance_chart(self, dataset):
        histogram = _main_histogram(dataset)
        report = balance_report(histogram)
        if not report["total"]:
            return "No class histogram."
        top = max(histogram.values())
        rows = format_html_join(
            "", '<div style="display:flex;align-items:center;gap:6px;height:14px;font-size:11px">'
                '<code style="width:1.5em;text-align:right">{}</code>'
                '<span style="display:inline-block;height:10px;width:{}px;background:{}"></span>'
                '<span>{}</span></div>',
            ((label, round(300 * count / top), _bar_colour(count, top), f"{count:,}")
             for label, count in histogram.items()),
        )
        summary = format_html("<p><strong>{}</strong>. Near balanced means largest/smallest class &le; {}.</p>",
                              advice(report), NEAR_BALANCED_RATIO)
        return format_html('{}<div class="balance-chart">{}</div>', summary, rows)

    @admin.display(description="SHA-256 per file")
    def checksums(self, dataset):
        if not dataset.file_sha256:
            return "-"
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><td>{}</td><td><code>{}</code></td></tr>", sorted(dataset.file_sha256.items())))

    @admin.display(description="training config")
    def training_config(self, dataset):
        try:
            config = ml_dataset_for(dataset)  # also names the loader of a row entered by hand
        except ConfigError as exc:
            return str(exc)
        return format_html("<code>dataset={}</code>, <code>data_root={}</code>", config["dataset"],
                           config["data_root"])

    @admin.display(description="import details")
    def import_details(self, dataset):
        report = dataset.import_report or {}
        if not report:
            return "-"
        lines = [(key.replace("_", " "), value) for key, value in report.items()
                 if key not in ("skipped_examples", "images_per_font")]
        skipped = report.get("skipped_examples") or []
        return format_html(
            "<ul>{}</ul>{}",
            format_html_join("", "<li>{}: {}</li>", lines),
            format_html("<p>Skipped:</p><ul>{}</ul>", format_html_join(
                "", "<li><code>{}</code>: {}</li>", ((s["file"], s["problem"]) for s in skipped))) if skipped else "",
        )

    # --- deletion goes through the service, which removes the files it owns ---------------
    def delete_model(self, request, obj):
        delete_dataset(dataset=obj)

    def delete_queryset(self, request, queryset):
        for dataset in queryset:
            delete_dataset(dataset=dataset)

    def changelist_view(self, request, extra_context=None):
        """The list, with a download offer while no real dataset is registered, and running downloads."""
        context = {
            "real_dataset_count": Dataset.objects.filter(source_format__in=REAL_FORMATS).count(),
            "data_root": default_data_root(),
            "releases": DatasetRelease.choices,
            "downloads": DatasetDownload.objects.select_related("dataset")[:5],
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def download_view(self, request):
        if request.method != "POST":
            return redirect(reverse("admin:generator_app_dataset_changelist"))
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            download = start_dataset_download(release=request.POST.get("release", ""), created_by=request.user)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, f"{download.get_release_display()}: download started; the list shows its "
                                       "progress and the dataset appears when it is verified and imported.",
                              messages.SUCCESS)
        return redirect(reverse("admin:generator_app_dataset_changelist"))

    def download_progress_view(self, request, pk):
        """What the progress bar polls: status, bytes, and the dataset once imported."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        download = get_object_or_404(DatasetDownload, pk=pk)
        return JsonResponse({
            "status": download.status, "status_display": download.get_status_display(),
            "bytes_done": download.bytes_done, "bytes_total": download.bytes_total,
            "error_message": download.error_message,
            "dataset_url": reverse("admin:generator_app_dataset_change", args=[download.dataset_id])
            if download.dataset_id else None,
        })

    # --- extra views -----------------------------------------------------------------------
    def preview_view(self, request, pk):
        dataset = get_object_or_404(Dataset, pk=pk)
        if not self.has_view_permission(request, dataset) or not dataset.preview:
            raise Http404("No preview for this dataset.")
        try:
            handle = dataset.preview.open("rb")
        except FileNotFoundError:
            raise Http404("The preview file is missing.") from None
        return FileResponse(handle, content_type="image/png")

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise Http404
        form = DatasetUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["archive"]
            try:
                with _upload_on_disk(upload) as archive_path:
                    dataset = import_dataset(source_format=form.cleaned_data["source_format"], path=archive_path,
                                             name=form.cleaned_data["name"], options=form.import_options(),
                                             source_label=Path(upload.name).name)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                self.message_user(request, f"Imported {dataset.name!r}: " + ", ".join(
                    f"{split} {n:,}" for split, n in dataset.split_counts.items()), messages.SUCCESS)
                return redirect(reverse("admin:generator_app_dataset_change", args=[dataset.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "Upload a dataset (ZIP)", "has_view_permission": self.has_view_permission(request)}
        return TemplateResponse(request, UPLOAD_TEMPLATE, context)


def _bar_colour(count, top):
    return "#79aec8" if count * NEAR_BALANCED_RATIO >= top else "#e0a040"


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@contextlib.contextmanager
def _upload_on_disk(upload):
    """The uploaded file as a path: Django's own temporary file, or a copy of a small in-memory one."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    with tempfile.TemporaryDirectory(prefix="handgen-upload-") as folder:
        target = Path(folder) / "upload.zip"
        with open(target, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        yield str(target)
