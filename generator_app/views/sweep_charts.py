"""Parallel coordinates of a sweep's parameters against its objective, as SVG geometry.

Drawn on the server (a few polylines in the page's own SVG): it needs no script library
and works offline. One vertical axis per parameter and one for the objective; each trial
is a line through its values, coloured from worst (light) to best (dark).
"""

import math

WIDTH, HEIGHT, MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 760, 260, 60, 28, 36


def _axis_position(spec, value):
    """Where ``value`` lies on a parameter's axis, 0 (bottom) .. 1 (top); None when it cannot be placed."""
    if spec["type"] == "choice":
        values = [repr(v) for v in spec["values"]]
        if repr(value) not in values:
            return None
        return values.index(repr(value)) / max(1, len(values) - 1) if len(values) > 1 else 0.5
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    low, high = spec["low"], spec["high"]
    if spec.get("log") and low > 0 and value > 0:
        low, high, value = math.log(low), math.log(high), math.log(value)
    return min(1.0, max(0.0, (value - low) / (high - low))) if high > low else 0.5


def _ticks(spec):
    if spec["type"] == "choice":
        return [str(v) for v in spec["values"]]
    return [f"{spec['low']:g}", f"{spec['high']:g}"]


def parallel_coordinates(*, sweep, trials):
    """{"width", "height", "axes": [{x, label, ticks: [{y, text}]}], "lines": [{points, colour, title}]}
    or None when no trial has a result yet."""
    scored = [t for t in trials if t["result"] is not None]
    if not scored:
        return None
    names = list(sweep.search_space)
    results = [t["result"] for t in scored]
    lo, hi = min(results), max(results)
    count = len(names) + 1
    step = (WIDTH - 2 * MARGIN_X) / max(1, count - 1)
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def y_of(position):
        return round(MARGIN_TOP + (1 - position) * plot_h, 1)

    axes = []
    for i, name in enumerate(names):
        spec = sweep.search_space[name]
        ticks = _ticks(spec)
        positions = [i / max(1, len(ticks) - 1) for i in range(len(ticks))] if len(ticks) > 1 else [0.5]
        axes.append({"x": round(MARGIN_X + i * step, 1), "label": name,
                     "ticks": [{"y": y_of(p), "text": t} for p, t in zip(positions, ticks, strict=True)]})  # fmt: skip
    axes.append({"x": round(MARGIN_X + (count - 1) * step, 1), "label": sweep.objective,
                 "ticks": [{"y": y_of(0), "text": f"{lo:.4g}"}, {"y": y_of(1), "text": f"{hi:.4g}"}]})  # fmt: skip
    lines = []
    for trial in scored:
        quality = (trial["result"] - lo) / (hi - lo) if hi > lo else 1.0
        if sweep.direction == "minimize":
            quality = 1 - quality
        points = []
        for i, name in enumerate(names):
            position = _axis_position(sweep.search_space[name], trial["params"].get(name))
            if position is not None:
                points.append(f"{round(MARGIN_X + i * step, 1)},{y_of(position)}")
        points.append(f"{axes[-1]['x']},{y_of((trial['result'] - lo) / (hi - lo) if hi > lo else 0.5)}")
        shade = int(200 - 170 * quality)
        lines.append({
            "points": " ".join(points),
            "colour": f"rgb({shade},{shade + 10 if shade < 245 else 255},{min(255, shade + 90)})",
            "title": f"trial {trial['trial_number']}: {trial['result']:.4g} ({trial['status']})",
            "dashed": trial["status"] == "pruned",
        })  # fmt: skip
    return {"width": WIDTH, "height": HEIGHT, "axes": axes, "lines": lines}
