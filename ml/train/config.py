"""Training configuration: one plain dict, checked against ``ml.train.schema``.

Pure Python on purpose: the web process validates a run with it before anything is
queued, without loading Keras. The trainer validates its own input too, because
``python -m ml.train`` reads raw JSON a person wrote.
"""

from __future__ import annotations

import copy

from ml.models import catalog
from ml.train import schema
from ml.train.schema import (  # noqa: F401  (the names callers import from here)
    DATASETS,
    DATASETS_NEEDING_ROOT,
    DATASETS_WITH_FORMS,
    LOSSES,
    OPTIMIZERS,
    UPDATES,
    WHOLE_CONFIG,
)

# The defaults every architecture shares (the rest come from ml.models.catalog).
RUN_DEFAULTS = {option.name: option.default for option in schema.OPTIONS if not option.per_architecture}


class ConfigError(ValueError):
    """Bad training configuration.

    ``errors`` maps each option (dotted for an optimizer setting, ``WHOLE_CONFIG`` for a
    problem no option owns) to its message, so a form can put each one next to its field;
    ``str()`` lists them all for a command line or a log.
    """

    def __init__(self, errors: dict[str, str] | str):
        self.errors = dict(errors) if isinstance(errors, dict) else {WHOLE_CONFIG: str(errors)}
        super().__init__("; ".join(self.errors.values()))


def _add(errors: dict[str, str], key: str, message: str) -> None:
    errors[key] = f"{errors[key]}; {message}" if key in errors else message


def _combination_errors(cfg: dict, arch: str, errors: dict[str, str]) -> None:
    """Rules between options; an option that is bad on its own is left out of them."""
    bad_alone = set(errors)

    def ok(*keys):
        return bad_alone.isdisjoint(keys)

    if ok("dataset", "data_root") and cfg["dataset"] in DATASETS_NEEDING_ROOT and not cfg["data_root"]:
        _add(errors, "data_root", f"dataset {cfg['dataset']!r} needs data_root: the path of its files")
    if ok("aux_weight") and cfg["aux_weight"] and arch != "cgan-strong":
        _add(errors, "aux_weight", "aux_weight needs an architecture with a class head (cgan-strong)")
    if ok("distinct_forms", "dataset") and cfg["distinct_forms"] and cfg["dataset"] not in DATASETS_WITH_FORMS:
        _add(errors, "distinct_forms", "distinct_forms applies to the emnist-pool-cased and alnum-cased datasets only")
    if ok("conditional", "aux_weight") and not cfg["conditional"] and cfg["aux_weight"]:
        _add(errors, "aux_weight", "an unconditional model cannot use aux_weight")


def validate_config(raw: dict) -> dict:
    """Fill defaults for the chosen architecture and check every option; return the full config.

    Raises ``ConfigError`` naming every problem found, not only the first.
    """
    if not isinstance(raw, dict):
        raise ConfigError({WHOLE_CONFIG: "config must be a JSON object"})
    arch = raw.get("architecture", schema.ARCHITECTURE.default)
    if arch not in catalog.ARCHITECTURES:
        raise ConfigError({"architecture": f"unknown architecture {arch!r}; valid names: {', '.join(catalog.names())}"})
    cfg = {**copy.deepcopy(schema.defaults_for(arch)), **copy.deepcopy(raw), "architecture": arch}
    errors: dict[str, str] = {}
    options = schema.options_for(arch)
    unknown = set(cfg) - {option.name for option in options} - {"architecture"}
    if unknown:
        errors[WHOLE_CONFIG] = f"unknown options for {arch}: {', '.join(sorted(unknown))}"
    for option in options:
        for key, message in option.errors(cfg[option.name], arch).items():
            _add(errors, key, message)
    _combination_errors(cfg, arch, errors)
    if errors:
        raise ConfigError(errors)
    return cfg
