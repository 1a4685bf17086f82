"""A sweep's search space: its JSON form, the checks a person can act on, and Optuna's view of it.

One entry per trainer option (``"aux_weight"``) or optimizer setting
(``"g_optimizer.learning_rate"``)::

    {"aux_weight": {"type": "choice", "values": [0.3, 1.0]},
     "g_width": {"type": "int", "low": 16, "high": 64, "step": 16},
     "g_optimizer.learning_rate": {"type": "float", "low": 1e-5, "high": 1e-3, "log": true}}

Pure Python apart from ``to_distributions``/``grid_values``, which import Optuna only when
called. Whether every value also makes a valid training config is checked against ml's
own rules by ``generator_app.services.sweep_config``.
"""

import math

SPACE_TYPES = ("choice", "int", "float")
# The sweep's budget and data are its own fields; a trial may not change them.
FIXED_OPTIONS = ("epochs", "dataset", "data_root", "architecture")
OPTIMIZER_KEYS = ("g_optimizer", "d_optimizer")
MAX_GRID_POINTS = 10_000
MAX_CHOICES = 100


class SearchSpaceError(ValueError):
    """A bad search space; ``problems`` lists every one, each naming its parameter."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_range(name, spec, problems, *, integer):
    low, high = spec.get("low"), spec.get("high")
    kind = "integers" if integer else "numbers"
    if integer and not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        problems.append(f"{name}: low and high must be {kind}")
        return
    if not (_number(low) and _number(high)):
        problems.append(f"{name}: low and high must be {kind}")
        return
    if low >= high:
        problems.append(f"{name}: low ({low}) must be below high ({high})")
    log, step = spec.get("log", False), spec.get("step")
    if not isinstance(log, bool):
        problems.append(f"{name}: log must be true or false")
    elif log and low <= 0:
        problems.append(f"{name}: a log scale needs low > 0 (got {low})")
    if step is not None:
        if not _number(step) or step <= 0 or (integer and not isinstance(step, int)):
            problems.append(f"{name}: step must be a positive {'integer' if integer else 'number'}")
        elif log:
            problems.append(f"{name}: choose either a log scale or a step, not both")
        elif low < high and (high - low) / step > MAX_GRID_POINTS:
            problems.append(f"{name}: step {step} gives more than {MAX_GRID_POINTS} values")


def _check_entry(name, spec, problems, *, grid):
    if not isinstance(spec, dict):
        problems.append(f"{name}: write an object such as {{\"type\": \"float\", \"low\": 0.1, \"high\": 1}}")
        return
    kind = spec.get("type")
    if kind not in SPACE_TYPES:
        problems.append(f"{name}: type must be one of {', '.join(SPACE_TYPES)}")
        return
    allowed = {"type", "values"} if kind == "choice" else {"type", "low", "high", "log", "step"}
    unknown = sorted(set(spec) - allowed)
    if unknown:
        problems.append(f"{name}: unknown keys {', '.join(unknown)} for type {kind}")
    if kind == "choice":
        values = spec.get("values")
        if not isinstance(values, list) or not values:
            problems.append(f"{name}: values must be a non-empty list")
        elif len(values) > MAX_CHOICES:
            problems.append(f"{name}: at most {MAX_CHOICES} values")
        elif not all(v is None or isinstance(v, bool | int | float | str) for v in values):
            problems.append(f"{name}: values must be numbers, strings, true/false or null")
        elif len({repr(v) for v in values}) != len(values):
            problems.append(f"{name}: values must not repeat")
        return
    _check_range(name, spec, problems, integer=kind == "int")
    if grid and kind == "float" and spec.get("step") is None:
        problems.append(f"{name}: the grid sampler needs a step for a float range (or a choice)")


def _check_name(name, problems):
    if not isinstance(name, str) or not name:
        problems.append("parameter names must be non-empty strings")
        return
    head, dot, tail = name.partition(".")
    if head in FIXED_OPTIONS:
        problems.append(f"{name}: fixed by the sweep itself (its dataset, architecture, epochs per trial)")
    elif dot and (head not in OPTIMIZER_KEYS or not tail or "." in tail):
        problems.append(f"{name}: only g_optimizer.<setting> and d_optimizer.<setting> take a dot")


def parse_search_space(space, *, grid=False):
    """Check ``space``; return it unchanged. Raises ``SearchSpaceError`` listing every problem."""
    if not isinstance(space, dict):
        raise SearchSpaceError(["the search space must be a JSON object of parameters"])
    if not space:
        raise SearchSpaceError(["the search space needs at least one parameter"])
    problems = []
    for name, spec in space.items():
        _check_name(name, problems)
        _check_entry(name, spec, problems, grid=grid)
    if not problems and grid and grid_size(space) > MAX_GRID_POINTS:
        problems.append(f"the grid has {grid_size(space)} points; at most {MAX_GRID_POINTS}")
    if problems:
        raise SearchSpaceError(problems)
    return space


def _range_values(spec):
    low, high, step = spec["low"], spec["high"], spec.get("step") or 1
    count = int(math.floor((high - low) / step + 1e-9)) + 1
    values = [low + i * step for i in range(count)]
    return values if spec["type"] == "int" else [round(v, 12) for v in values]


def grid_values(space):
    """{name: every value} for the grid sampler (the space has passed ``parse_search_space(grid=True)``)."""
    return {name: (spec["values"] if spec["type"] == "choice" else _range_values(spec)) for name, spec in space.items()}


def grid_size(space):
    return math.prod(len(values) for values in grid_values(space).values())


def corner_values(spec):
    """The values that bound a parameter (every choice; a range's two ends): checking these checks the range."""
    if spec["type"] == "choice":
        return list(spec["values"])
    values = _range_values(spec) if spec.get("step") else [spec["low"], spec["high"]]
    return [values[0], values[-1]]


def to_distributions(space):
    """{name: Optuna distribution}."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    out = {}
    for name, spec in space.items():
        if spec["type"] == "choice":
            out[name] = CategoricalDistribution(spec["values"])
        elif spec["type"] == "int":
            out[name] = IntDistribution(spec["low"], spec["high"], log=spec.get("log", False), step=spec.get("step") or 1)
        else:
            out[name] = FloatDistribution(spec["low"], spec["high"], log=spec.get("log", False), step=spec.get("step"))
    return out


def apply_params(options, params):
    """Trainer options with a trial's parameters set (dotted names go into the optimizer dicts)."""
    merged = {key: (dict(value) if isinstance(value, dict) else value) for key, value in options.items()}
    for name, value in params.items():
        head, dot, tail = name.partition(".")
        if dot:
            merged[head] = {**(merged.get(head) or {}), tail: value}
        else:
            merged[name] = value
    return merged


def config_value(config, name):
    """A parameter's value in a full config (dotted names read the optimizer dicts); None if absent."""
    head, dot, tail = name.partition(".")
    value = config.get(head)
    return (value or {}).get(tail) if dot and isinstance(value, dict) else (None if dot else value)


def contains(spec, value):
    """Whether ``value`` is one the parameter can take (the base trial must lie in the space)."""
    if spec["type"] == "choice":
        return any(type(value) is type(choice) and value == choice for choice in spec["values"]) or (
            _number(value) and any(_number(c) and not isinstance(c, bool) and c == value for c in spec["values"])
        )
    if not _number(value) or (spec["type"] == "int" and not isinstance(value, int)):
        return False
    if not spec["low"] <= value <= spec["high"]:
        return False
    step = spec.get("step")
    return step is None or abs((value - spec["low"]) / step - round((value - spec["low"]) / step)) < 1e-9
