"""Run images served through an auth check (media files are never public)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from generator_app.models import SampleGrid


def sample_grid_image(request, pk):
    grid = get_object_or_404(SampleGrid, pk=pk)
    try:
        handle = grid.image.open("rb")
    except FileNotFoundError:
        raise Http404("The image file of this sample grid is missing.") from None
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
