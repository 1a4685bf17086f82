"""The cheap checks of a run's stored training config; the config itself is never rewritten.

A run's ``hyperparameters`` are its record: what it was (or will be) trained with. The
options are checked against ml's schema once, by the service that starts a run
(``generator_app.services.training``); here only the JSON shape and the agreement with
the run's own columns are checked, so a ``full_clean`` years later (a resume, a
recovery, a rename) cannot fill in a default that changed since, nor refuse a run
whose options today's rules would word differently.
"""

from django.core.exceptions import ValidationError

# Keys of the training config that the run also keeps as columns (for lists, filters
# and constraints). Column and config must agree; an empty column is filled from the config.
PINNED_KEYS = {"architecture": "architecture", "seed": "seed", "epochs": "epochs_total"}


def check_hyperparameters(config, *, pinned):
    """Raise ``ValidationError`` keyed ``hyperparameters`` unless ``config`` is an object
    that agrees with the run's columns (``pinned``: config key -> column value, None when unset)."""
    if not isinstance(config, dict):
        raise ValidationError({"hyperparameters": "Hyperparameters must be a JSON object."})
    conflicts = [
        f"'{key}' is {config[key]!r} in the hyperparameters but {value!r} on the run"
        for key, value in pinned.items()
        if value is not None and key in config and config[key] != value
    ]
    if conflicts:
        raise ValidationError({"hyperparameters": conflicts})
