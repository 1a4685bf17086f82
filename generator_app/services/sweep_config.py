"""A sweep's base config and search space, checked against ml's own rules before anything is stored.

Every value a trial could get must make a valid training config; checking each
parameter's bounding values (every choice, both ends of a range) on top of the base
config finds a bad range (a learning rate above 1, a width of 0) as a form error naming
the parameter, instead of a trial that fails hours later.
"""

from generator_app.models.sweep_space import SearchSpaceError, apply_params, corner_values, parse_search_space
from ml.train.config import ConfigError

from .run_config import build_training_config


def check_sweep_config(*, dataset, architecture, options, search_space, grid):
    """Return the base trial's full config; raise ``ConfigError`` (base options) or
    ``SearchSpaceError`` (the space, each problem naming its parameter)."""
    base = build_training_config(dataset=dataset, architecture=architecture, options=options)
    parse_search_space(search_space, grid=grid)
    problems = []
    for name, spec in search_space.items():
        for value in corner_values(spec):
            try:
                build_training_config(
                    dataset=dataset, architecture=architecture, options=apply_params(options, {name: value})
                )
            except ConfigError as error:
                problems.append(f"{name} = {value!r}: {error}")
                break
    if problems:
        raise SearchSpaceError(problems)
    return base
