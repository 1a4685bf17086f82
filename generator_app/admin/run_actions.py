"""Run operations behind a confirmation page: cancel, resume (list actions and per-run buttons), clone.

Every operation is a service call; this module only asks "are you sure?" first, the way
Django's own delete does, and reports what happened.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from generator_app.models import RunStatus
from generator_app.services.training import cancel_run, resume_run

CONFIRM_TEMPLATE = "admin/generator_app/trainingrun/confirm_action.html"

OPERATIONS = {
    "cancel": {
        "title": "Cancel training runs",
        "question": "Stop these runs? A running run stops within one epoch and keeps its metrics and "
                    "checkpoints; it can be resumed later.",
        "allowed": (RunStatus.QUEUED, RunStatus.RUNNING),
        "button": "Yes, cancel",
        "verb": "cancelled",
    },
    "resume": {
        "title": "Resume training runs",
        "question": "Queue these runs again? Each continues from its last complete epoch.",
        "allowed": (RunStatus.CANCELLED, RunStatus.FAILED),
        "button": "Yes, resume",
        "verb": "resumed",
    },
}  # fmt: skip


def _perform(modeladmin, request, operation, runs):
    done, refused, unsent = [], [], []
    for run in runs:
        if run.status not in OPERATIONS[operation]["allowed"]:
            refused.append(f"run {run.pk} is {run.get_status_display().lower()}")
            continue
        try:
            if operation == "cancel" and not cancel_run(run=run):
                refused.append(f"run {run.pk} had already ended")
                continue
            if operation == "resume" and resume_run(run=run).dispatched_at is None:
                unsent.append(run.pk)  # stored as queued, but the broker refused the message
        except ValidationError as error:
            refused.append(" ".join(error.messages))
            continue
        done.append(run.pk)
    if done:
        word = "cancelled" if operation == "cancel" else "queued again"
        modeladmin.message_user(request, f"{word.capitalize()}: run {', '.join(map(str, done))}.", messages.SUCCESS)
    if unsent:
        modeladmin.message_user(
            request,
            f"The task broker could not be reached for run {', '.join(map(str, unsent))}; "
            "it stays queued and is sent automatically once the broker is back.",
            messages.WARNING,
        )
    if refused:
        modeladmin.message_user(request, f"Not {operation}ed: {'; '.join(refused)}.", messages.WARNING)


def confirmation_page(modeladmin, request, operation, runs, *, action_name=None):
    spec = OPERATIONS[operation]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": spec["title"],
        "question": spec["question"],
        "button": spec["button"],
        "verb": spec["verb"],
        "runs": runs,
        "eligible": [run for run in runs if run.status in spec["allowed"]],
        "ineligible": [run for run in runs if run.status not in spec["allowed"]],
        "action_name": action_name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, CONFIRM_TEMPLATE, context)


def _list_action(operation):
    def action(modeladmin, request, queryset):
        runs = list(queryset.order_by("pk"))
        if request.POST.get("post") == "yes":
            _perform(modeladmin, request, operation, runs)
            return None  # back to the list
        return confirmation_page(modeladmin, request, operation, runs, action_name=action.__name__)

    action.__name__ = f"{operation}_selected"
    return action


cancel_selected = admin.action(description="Cancel selected runs", permissions=["change"])(_list_action("cancel"))
resume_selected = admin.action(description="Resume selected runs", permissions=["change"])(_list_action("resume"))


@admin.action(description="Clone the selected run with changes", permissions=["add"])
def clone_selected(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select exactly one run to clone.", messages.WARNING)
        return None
    return redirect(reverse("admin:generator_app_trainingrun_add") + f"?clone={queryset.get().pk}")


def object_operation_view(modeladmin, request, run, operation):
    """GET: the confirmation page for one run; POST: do it and go back to the run."""
    if request.method == "POST":
        _perform(modeladmin, request, operation, [run])
        return redirect(reverse("admin:generator_app_trainingrun_change", args=[run.pk]))
    return confirmation_page(modeladmin, request, operation, [run])
