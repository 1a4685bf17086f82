"""Validation of a run's hyperparameters through ml's own rules, without loading Keras.

``ml.train.config.validate_config(dict) -> dict`` is pure Python: it fills the defaults
of the chosen architecture and raises ``ValueError`` naming every bad option. It is
imported lazily so that loading the models never pulls in ``ml``; if that module is
absent (a deployment without ``ml/``), only the JSON shape is checked.
"""

import importlib

from django.core.exceptions import ValidationError

ML_CONFIG_MODULE = "ml.train.config"

# Keys of the training config that the run also keeps as columns (for lists, filters
# and constraints). Column and config must agree; an empty column is filled from the config.
PINNED_KEYS = {"architecture": "architecture", "seed": "seed", "epochs": "epochs_total"}


def _ml_validator():
    try:
        module = importlib.import_module(ML_CONFIG_MODULE)
    except ModuleNotFoundError as error:
        if error.name and ML_CONFIG_MODULE.startswith(error.name):
            return None  # ml/ is not installed here: nothing deeper to check
        raise  # the module exists but one of its own imports is broken: say so
    return module.validate_config


def normalise_hyperparameters(config, *, pinned):
    """Return the full, validated config for a run.

    ``pinned`` maps config keys to the run's column values (None when unset). Raises
    ``ValidationError`` keyed by field name, so forms show the message next to the field.
    """
    if not isinstance(config, dict):
        raise ValidationError({"hyperparameters": "Hyperparameters must be a JSON object."})
    conflicts = [
        f"'{key}' is {config[key]!r} in the hyperparameters but {value!r} on the run"
        for key, value in pinned.items()
        if value is not None and key in config and config[key] != value
    ]
    if conflicts:
        raise ValidationError({"hyperparameters": conflicts})
    merged = {**config, **{key: value for key, value in pinned.items() if value is not None}}
    validate_config = _ml_validator()
    if validate_config is None:
        return merged
    try:
        return validate_config(merged)
    except ValueError as error:
        raise ValidationError({"hyperparameters": str(error)}) from None
