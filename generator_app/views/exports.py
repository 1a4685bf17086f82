"""The dataset export page: request an export from any generator, watch it, download it.

The page posts to the same service as the API; the downloads go through the API's
owner-checked action, which answers the session as well as a token.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from generator_app.selectors.exports import export_list_for_user
from generator_app.services.dataset_exports import request_export
from generator_app.throttles import GenerationCreateThrottle, Throttled, check_throttle, render_throttled

from .export_forms import ExportForm

LISTED = 50


def exports_page(request):
    form = ExportForm(request.POST or None)
    if request.method == "POST":
        try:
            check_throttle(request, GenerationCreateThrottle)  # the API's budget, shared
        except Throttled as throttled:
            return render_throttled(request, "generator_app/exports.html", _context(request, form), throttled)
    if request.method == "POST" and form.is_valid():
        try:
            export = request_export(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"Export of {export.total_images:,} images queued.")
            return redirect("exports")
    status = 400 if request.method == "POST" else 200
    return render(request, "generator_app/exports.html", _context(request, form), status=status)


def _context(request, form):
    exports = list(export_list_for_user(user=request.user)[:LISTED])
    return {"form": form, "exports": exports, "live": any(not e.is_finished for e in exports)}
