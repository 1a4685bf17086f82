"""Two to four runs side by side: curves on one epoch axis and their grids at one epoch.

Runs rarely have the same length. The curves simply end where a run ended; the grids
are shown at one requested epoch, and a run without a grid there shows its nearest
earlier one (its last, if it stopped before), with a note saying so.
"""

from generator_app.models import SampleGrid

from .metric_reference import epoch_reference_for_charset, run_charset
from .run_series import aligned_epoch_series, epoch_series
from .runs import grid_at_epoch, runs_to_compare


def _grid_note(run, requested, grid, clamped):
    if grid is None:
        return "No sample grid saved yet."
    if not clamped:
        return ""
    last = run.epochs_done
    if requested > grid.epoch and last and last < requested:
        return f"Stopped at epoch {last}: showing epoch {grid.epoch}."
    return f"No grid at epoch {requested}: showing epoch {grid.epoch}."


def compare_runs(*, run_ids, epoch=None):
    """The compare payload; ``ValidationError`` for unknown ids (see ``runs_to_compare``).

    Returns {"runs": [...], "x", "epoch", "max_epoch", "reference"}; each run entry has
    the TrainingRun (annotated), its aligned series, its grids and the grid at ``epoch``.
    ``epoch`` defaults to the last epoch every run has a grid for, so the first view
    needs no clamping.
    """
    runs = runs_to_compare(run_ids=run_ids)
    series = {run.pk: epoch_series(run=run) for run in runs}
    x, aligned = aligned_epoch_series(series)
    grids_by_run = {run.pk: [] for run in runs}
    for grid in SampleGrid.objects.filter(run__in=runs).order_by("run", "epoch"):
        grids_by_run[grid.run_id].append(grid)
    last_epochs = [grids[-1].epoch for grids in grids_by_run.values() if grids]
    max_epoch = max(last_epochs, default=0)
    if epoch is None:
        epoch = min(last_epochs, default=0)
    charsets = {run_charset(run) for run in runs}
    reference = epoch_reference_for_charset(charsets.pop()) if len(charsets) == 1 else {}
    entries = []
    for run in runs:
        grids = grids_by_run[run.pk]
        grid, clamped = grid_at_epoch(grids, epoch)
        entries.append(
            {
                "run": run,
                "series": aligned[run.pk],
                "grids": grids,
                "grid_at_epoch": {
                    "requested": epoch,
                    "grid": grid,
                    "clamped": clamped,
                    "note": _grid_note(run, epoch, grid, clamped),
                },
            }
        )
    return {"runs": entries, "x": x, "epoch": epoch, "max_epoch": max_epoch, "reference": reference}
