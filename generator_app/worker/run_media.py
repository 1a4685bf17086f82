"""The animated GIF of a run's sample grids: training at a glance, made once when the run ends.

Frames are the saved ``SampleGrid`` PNGs in epoch order, each with a thin caption
strip ("epoch 12 / 30") so a viewer knows where they are without a player. Long runs
keep at most ``MAX_FRAMES`` evenly spaced frames (always the first and the last) so the
file stays a few megabytes; the last frame is held longer so the final result reads.
Pillow only: no ffmpeg on the workers or the web hosts.
"""

import io
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from generator_app.models import SampleGrid, TrainingRun
from generator_app.models.training_run import training_gif_path
from generator_app.selectors.runs import pick_evenly

logger = logging.getLogger(__name__)

MAX_FRAMES = 120
FRAME_MS = 250
LAST_FRAME_MS = 2000
CAPTION_PX = 14


def _frame(grid, *, epochs_total, size):
    with grid.image.open("rb") as handle:
        image = Image.open(handle).convert("L")
        image.load()
    if image.size != size:  # a resumed run may have changed nothing, but never trust sizes
        image = image.resize(size, Image.NEAREST)
    frame = Image.new("L", (size[0], size[1] + CAPTION_PX), 0)
    frame.paste(image, (0, CAPTION_PX))
    ImageDraw.Draw(frame).text(
        (3, 1), f"epoch {grid.epoch} / {epochs_total}", fill=200, font=ImageFont.load_default()
    )
    return frame


def render_training_gif(grids, *, epochs_total):
    """GIF bytes of ``grids`` (SampleGrid rows in epoch order), or None when there are none."""
    grids = pick_evenly(list(grids), MAX_FRAMES)
    if not grids:
        return None
    with grids[-1].image.open("rb") as handle:
        size = Image.open(handle).size  # the latest grid sets the frame size
    frames = []
    for grid in grids:
        try:
            frames.append(_frame(grid, epochs_total=epochs_total, size=size))
        except (FileNotFoundError, OSError) as error:  # a missing or corrupt file skips one frame
            logger.warning("GIF of run %s: skipping epoch %s (%s)", grid.run_id, grid.epoch, error)
    if not frames:
        return None
    durations = [FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=True
    )
    return buffer.getvalue()


def build_training_gif(run: TrainingRun) -> None:
    """Save ``run.training_gif`` from the run's sample grids; idempotent (a retry replaces it).

    Leaves the field empty when the run saved no grid. Only the GIF field is written
    (``update_fields``): the rest of the row belongs to the training task, which may be
    saving progress at the same moment.
    """
    grids = SampleGrid.objects.filter(run=run).order_by("epoch")
    data = render_training_gif(grids, epochs_total=run.epochs_total)
    if data is None:
        return
    storage = run.training_gif.storage
    with transaction.atomic():
        # The upload path is fixed (runs/<id>/training.gif): free it so the storage
        # does not pick a new, suffixed name for the rebuilt file.
        for name in {run.training_gif.name, training_gif_path(run, "training.gif")} - {""}:
            if storage.exists(name):
                storage.delete(name)
        run.training_gif.save("training.gif", ContentFile(data), save=False)
        run.save(update_fields=["training_gif", "updated_at"])
