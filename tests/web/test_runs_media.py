"""The training GIF: one frame per saved grid, a real looping GIF, rebuilt in place on retry."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from generator_app.models import RunStatus, SampleGrid
from generator_app.selectors.runs import pick_evenly
from generator_app.worker import run_media
from generator_app.worker.run_media import build_training_gif
from tests.web.run_factories import grid_png, make_run

pytestmark = pytest.mark.django_db


def gif_frames(run):
    with run.training_gif.open("rb") as handle:
        data = handle.read()
    image = Image.open(io.BytesIO(data))
    return data, image


def test_gif_has_one_frame_per_grid_and_loops(media_root):
    run = make_run(epochs_done=5, epochs_total=5)
    build_training_gif(run)
    run.refresh_from_db()
    assert run.training_gif.name == f"runs/{run.pk}/training.gif"
    data, image = gif_frames(run)
    assert data[:6] == b"GIF89a"
    assert image.format == "GIF"
    assert image.n_frames == 5
    assert image.info["loop"] == 0
    grid_size = Image.open(run.sample_grids.last().image).size
    assert image.size == (grid_size[0], grid_size[1] + run_media.CAPTION_PX)
    # Frames differ: training changes the samples (first is mostly noise, last is glyphs).
    image.seek(0)
    first = image.convert("L").tobytes()
    image.seek(4)
    assert image.convert("L").tobytes() != first


def test_rebuilding_replaces_the_file_in_place(media_root):
    run = make_run(epochs_done=2, epochs_total=3)
    build_training_gif(run)
    run.refresh_from_db()
    first_name = run.training_gif.name
    grid = SampleGrid(run=run, epoch=3)
    grid.image.save("g.png", ContentFile(grid_png(epoch=3, epochs=3)), save=True)
    build_training_gif(run)
    run.refresh_from_db()
    assert run.training_gif.name == first_name  # no training_XYZ.gif left beside it
    assert gif_frames(run)[1].n_frames == 3
    assert sorted(p.name for p in (media_root / "runs" / str(run.pk)).iterdir()) == ["samples", "training.gif"]


def test_no_grids_means_no_gif(media_root):
    run = make_run(epochs_done=0, epochs_total=3, status=RunStatus.CANCELLED, grids=False)
    build_training_gif(run)
    run.refresh_from_db()
    assert not run.training_gif


def test_a_missing_grid_file_skips_that_frame(media_root):
    run = make_run(epochs_done=3, epochs_total=3)
    lost = run.sample_grids.get(epoch=2)
    lost.image.storage.delete(lost.image.name)
    build_training_gif(run)
    run.refresh_from_db()
    assert gif_frames(run)[1].n_frames == 2


def test_long_runs_keep_evenly_spaced_frames_with_first_and_last():
    picked = pick_evenly(list(range(1, 501)), 120)
    assert len(picked) == 120
    assert picked[0] == 1 and picked[-1] == 500
    assert picked == sorted(set(picked))
    assert pick_evenly([1, 2, 3], 120) == [1, 2, 3]
