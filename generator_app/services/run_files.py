"""Where a training run keeps its files: one folder per run under MEDIA_ROOT, deleted with the run."""

import shutil
from pathlib import Path

from django.conf import settings


def run_folder(run_id):
    """MEDIA_ROOT/runs/<id>: everything a run leaves on disk (deleted with the run)."""
    return Path(settings.MEDIA_ROOT) / "runs" / str(run_id)


def work_folder(run_id):
    """The trainer's out_dir: checkpoints, its own logs, the exported generator."""
    return run_folder(run_id) / "work"


def remove_run_files(run_id):
    shutil.rmtree(run_folder(run_id), ignore_errors=True)
