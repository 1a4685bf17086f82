"""Pages and files of generation requests: Generate, My generations, downloads, the staff glyph view.

Image files are never served from MEDIA_URL: each download goes through an
ownership check here (staff may open any request, as in the admin), and a
request that is not the viewer's answers 404 like one that does not exist.
"""

import base64
import functools
import io

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from PIL import Image
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from generator_app.models import MAX_TEXT_LENGTH, GenerationStatus
from generator_app.selectors.generations import (
    generation_for_user,
    generation_for_viewer,
    generation_list_for_user,
    glyph_rows,
)
from generator_app.selectors.hands import ready_hands_for
from generator_app.services.generation import delete_generation, fail_stale_generations, request_generation
from generator_app.services.generation_charsets import writing_charsets
from generator_app.services.generation_files import load_sheet, pdf_bytes, svg_bytes, thumbnail_bytes
from generator_app.throttles import GenerationCreateThrottle, Throttled, check_throttle, render_throttled

from .generation_forms import OPTION_FIELDS, GenerationForm

PAGE_SIZE = 24


def _generate_context(form):
    charsets = writing_charsets()
    return {
        "form": form,
        "charsets": charsets,
        "max_length": MAX_TEXT_LENGTH,
        "option_fields": [form[name] for name in OPTION_FIELDS],
    }


def _initial_from(request):
    """Prefill from one of the user's own requests (?from=<id>): 'make again with this seed'."""
    source_id = request.GET.get("from")
    if not source_id:
        return {}
    try:
        source = generation_for_user(user=request.user, generation_id=source_id)
    except ValidationError:  # not a UUID
        source = None
    if source is None:
        return {}
    return {"text": source.text, "style_seed": source.style_seed, **source.options}


def generate(request):
    """The Generate page. With JavaScript the form talks to the API and shows the result in place;
    without it, this view takes the POST, shows form errors (400, or 429 over the API's shared
    rate) or queues and redirects."""
    if request.method == "POST":
        form = GenerationForm(request.POST, hands=ready_hands_for(user=request.user))
        try:
            check_throttle(request, GenerationCreateThrottle)  # the API's budget, shared
        except Throttled as throttled:
            return render_throttled(request, "generator_app/generate.html", _generate_context(form), throttled)
        if form.is_valid():
            try:
                generation = request_generation(
                    user=request.user,
                    text=form.cleaned_data["text"],
                    style_seed=form.cleaned_data["style_seed"],
                    options=form.options(),
                    hand=form.cleaned_data.get("hand") or None,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, f"Queued: your text is being written (seed {generation.style_seed}).")
                return redirect("my_generations")
        return render(request, "generator_app/generate.html", _generate_context(form), status=400)
    return render(request, "generator_app/generate.html", _generate_context(
        GenerationForm(initial=_initial_from(request), hands=ready_hands_for(user=request.user))
    ))


def my_generations(request):
    fail_stale_generations(user=request.user)
    page = Paginator(generation_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "generator_app/my_generations.html", {"page": page})


@require_POST
def delete(request, pk):
    generation = generation_for_user(user=request.user, generation_id=pk)
    if generation is None:
        raise Http404("No such generation.")
    delete_generation(generation=generation)
    messages.success(request, "Deleted.")
    return redirect("my_generations")


def _viewer(request):
    """The signed-in user, by session (pages) or API token (clients following image_url)."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        found = None
    return found[0] if found else None


def _viewable(request, pk):
    user = _viewer(request)
    if user is None:
        raise _Unauthenticated
    generation = generation_for_viewer(user=user, generation_id=pk)
    if generation is None or generation.status != GenerationStatus.SUCCEEDED:
        raise Http404("No such image.")
    return generation


def _file_response(request, generation, data, content_type, extension):
    response = HttpResponse(data, content_type=content_type) if isinstance(data, bytes) else data
    response["Content-Type"] = content_type
    name = f"handgen-{generation.style_seed}.{extension}"
    kind = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{kind}; filename="{name}"'
    response["Cache-Control"] = "private, max-age=86400"
    return response


class _Unauthenticated(Exception):
    pass


def _file_view(view):
    """Open to token clients (the login middleware would redirect them): answer 401 to the anonymous."""

    @login_not_required
    @functools.wraps(view)
    def wrapper(request, pk):
        try:
            return view(request, pk)
        except _Unauthenticated:
            if "text/html" in request.headers.get("Accept", ""):
                return redirect_to_login(request.get_full_path())
            response = HttpResponse("Sign in or send an API token.", status=401, content_type="text/plain")
            response["WWW-Authenticate"] = "Token"
            return response

    return wrapper


@_file_view
def image_png(request, pk):
    generation = _viewable(request, pk)
    try:
        handle = generation.image.open("rb")
    except FileNotFoundError:
        raise Http404("The image file is missing.") from None
    return _file_response(request, generation, FileResponse(handle), "image/png", "png")


@_file_view
def image_thumbnail(request, pk):
    generation = _viewable(request, pk)
    data = thumbnail_bytes(generation)
    if data is None:
        raise Http404("The image file is missing.")
    return _file_response(request, generation, data, "image/png", "png")


@_file_view
def image_svg(request, pk):
    generation = _viewable(request, pk)
    data = svg_bytes(generation)
    if data is None:
        raise Http404("The glyphs of this image are missing.")
    return _file_response(request, generation, data, "image/svg+xml", "svg")


@_file_view
def image_pdf(request, pk):
    generation = _viewable(request, pk)
    data = pdf_bytes(generation)
    if data is None:
        raise Http404("The glyphs of this image are missing.")
    return _file_response(request, generation, data, "application/pdf", "pdf")


def _glyph_data_uri(glyph: np.ndarray) -> str:
    """A glyph as a small inline PNG, dark ink on white as it appears on the page."""
    buffer = io.BytesIO()
    Image.fromarray(255 - glyph.astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def glyph_debug(request, pk):
    """Staff only: each character's glyph with the evaluator's reading and confidence."""
    if not request.user.is_staff:
        raise PermissionDenied("The glyph view is for staff.")
    generation = generation_for_viewer(user=request.user, generation_id=pk)
    if generation is None:
        raise Http404("No such generation.")
    sheet = load_sheet(generation) if generation.status == GenerationStatus.SUCCEEDED else None
    rows = glyph_rows(generation=generation, sheet=sheet) if sheet else []
    uris = {}
    for row in rows:
        if row["glyph"] is not None:
            if row["slot"] not in uris:  # repeated letters share a drawing: encode it once
                uris[row["slot"]] = _glyph_data_uri(row["glyph"])
            row["glyph_uri"] = uris[row["slot"]]
    drawn = [row for row in rows if row["glyph"] is not None]
    summary = {
        "drawn": len(drawn),
        "accepted": sum(1 for row in drawn if row.get("accepted")),
        "redrawn": sum(1 for row in drawn if row.get("attempts", 1) > 1),
        "read": sum(1 for row in drawn if row.get("read_as")),
    }
    return render(
        request,
        "generator_app/generation_debug.html",
        {"generation": generation, "rows": rows, "summary": summary, "has_sheet": sheet is not None},
    )
