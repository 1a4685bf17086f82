"""The sweep pages for signed-in users: the list, one sweep (leaderboard, charts), publish best (staff).

Thin: the leaderboard, curves and importance come from ``selectors.sweeps``; publishing
is ``services.sweeps.publish_best_trial``.
"""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from generator_app.models import Sweep
from generator_app.models.sweep_objectives import OBJECTIVES
from generator_app.selectors.sweeps import objective_series, param_importances, sweep_summary, sweep_trials
from generator_app.services.sweeps import publish_best_trial

from .sweep_charts import parallel_coordinates

COMPARE_MAX = 4  # the compare page overlays at most this many runs


def _cell(value):
    if isinstance(value, float):
        return {"value": value, "text": f"{value:.4g}"}
    return {"value": "" if value is None else value, "text": "—" if value is None else str(value)}


def _get_sweep(pk):
    sweep = Sweep.objects.select_related("dataset").filter(pk=pk).first()
    if sweep is None:
        raise Http404("No such sweep.")
    return sweep


def sweep_list_page(request):
    sweeps = Sweep.objects.select_related("dataset").order_by("-created_at")[:200]
    return render(request, "generator_app/sweeps.html", {"sweeps": sweeps, "objectives": OBJECTIVES})


def sweep_detail_page(request, pk):
    sweep = _get_sweep(pk)
    trials = sweep_trials(sweep=sweep)
    for trial in trials:
        trial["param_cells"] = [_cell(trial["params"].get(name)) for name in sweep.search_space]
    importances = param_importances(sweep=sweep, trials=trials)
    top = [t["run_id"] for t in trials if t["rank"] is not None][:COMPARE_MAX]
    compare_url = reverse("run_compare") + "?" + "&".join(f"runs={pk}" for pk in top) if len(top) >= 2 else None
    context = {
        "sweep": sweep,
        "objective": OBJECTIVES[sweep.objective],
        "trials": trials,
        "param_names": list(sweep.search_space),
        "summary": sweep_summary(sweep=sweep, trials=trials),
        "importances": sorted(importances.items(), key=lambda kv: -kv[1]) if importances else None,
        "parcoords": parallel_coordinates(sweep=sweep, trials=trials),
        "compare_url": compare_url,
        "live": not sweep.is_finished,
        "page_data": {"series": objective_series(sweep=sweep), "live": not sweep.is_finished},
    }
    return render(request, "generator_app/sweep_detail.html", context)


@staff_member_required
@require_POST
def sweep_publish_best(request, pk):
    sweep = _get_sweep(pk)
    try:
        generator = publish_best_trial(sweep=sweep)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{generator.name} is now the default {generator.charset} generator.")
    return redirect(reverse("sweep_detail", args=[sweep.pk]))
