"""Sweeps in the admin: the "New sweep" form (the add page), the record, and cancel behind a confirmation.

Watching a sweep happens on its page for signed-in users (``/sweeps/<id>/``), linked
from here; every write is a call into ``generator_app.services.sweeps``.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from generator_app.models import Sweep, SweepStatus
from generator_app.services.sweeps import cancel_sweep, create_sweep

from .sweep_forms import NewSweepForm

NEW_SWEEP_TEMPLATE = "admin/generator_app/sweep/new_sweep.html"
CONFIRM_TEMPLATE = "admin/generator_app/sweep/confirm_cancel.html"


@admin.register(Sweep)
class SweepAdmin(admin.ModelAdmin):
    change_form_template = "admin/generator_app/sweep/change_form.html"
    list_display = ["id", "name", "architecture", "objective", "direction", "sampler", "pruner", "n_trials",
                    "status", "page_link", "created_at"]  # fmt: skip
    list_display_links = ["id", "name"]
    list_filter = ["status", "sampler", "pruner", "objective"]
    search_fields = ["id", "name", "architecture", "study_name"]
    actions = ["cancel_selected"]

    def get_readonly_fields(self, request, obj=None):
        return ["page_link"] + [f.name for f in Sweep._meta.get_fields() if f.concrete and not f.auto_created]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) if obj is None else self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # its trials are runs with their own records; cancel a sweep instead

    @admin.display(description="page")
    def page_link(self, sweep):
        return format_html('<a href="{}">sweep page</a>', reverse("sweep_detail", args=[sweep.pk])) if sweep.pk else "—"

    def add_view(self, request, form_url="", extra_context=None):
        """Valid input stores the sweep and has a worker queue its first trials; invalid input stores nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewSweepForm(request.POST or None, initial={"queue": "gpu"})
        if request.method == "POST" and form.is_valid():
            try:
                sweep = create_sweep(**form.sweep_arguments(), created_by=request.user)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                self.log_addition(request, sweep, [{"added": {}}])
                self.message_user(request, f"{sweep} created; its first trials are being queued.", messages.SUCCESS)
                return redirect(reverse("sweep_detail", args=[sweep.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "New sweep",
            "opts": self.model._meta,
            "form": form,
            "page_data": NewSweepForm.page_data(),
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, NEW_SWEEP_TEMPLATE, context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("<int:pk>/cancel/", wrap(self.cancel_view), name="generator_app_sweep_cancel"), *super().get_urls()]

    def cancel_view(self, request, pk):
        sweep = get_object_or_404(Sweep, pk=pk)
        if not super().has_change_permission(request, sweep):
            raise PermissionDenied
        if request.method == "POST":
            self._cancel(request, [sweep])
            return redirect(reverse("sweep_detail", args=[sweep.pk]))
        context = {**self.admin_site.each_context(request), "title": "Cancel sweep", "opts": self.model._meta,
                   "sweeps": [sweep], "active_trials": sweep.trials.filter(status__in=["queued", "running"])}  # fmt: skip
        return TemplateResponse(request, CONFIRM_TEMPLATE, context)

    @admin.action(description="Cancel selected sweeps (and their running trials)", permissions=["change"])
    def cancel_selected(self, request, queryset):
        self._cancel(request, list(queryset.filter(status=SweepStatus.RUNNING)))

    def _cancel(self, request, sweeps):
        for sweep in sweeps:
            try:
                cancelled = cancel_sweep(sweep=sweep)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
                continue
            runs = ", ".join(map(str, cancelled)) or "none"
            self.message_user(request, f"{sweep} cancelled; trials stopped: run {runs}.", messages.SUCCESS)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_cancel"] = obj is not None and obj.status == SweepStatus.RUNNING
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
