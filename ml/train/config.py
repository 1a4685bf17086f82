"""Training configuration: one plain dict, validated with messages a person can act on.

Pure Python on purpose: the Django form and model ``clean()`` call
``validate_config`` without loading Keras.
"""

from __future__ import annotations

import copy

from ml.models import catalog

OPTIMIZERS = ("adam", "sgd", "rmsprop")
LOSSES = ("ns", "saturating", "hinge")
UPDATES = ("alternating", "simultaneous")
DATASETS = ("mnist", "emnist-letters", "emnist-pool", "emnist-pool-cased", "alnum", "alnum-cased", "imported", "fonts", "notmnist",
            "folder", "fixture")
# Datasets with no default location (ml.data.sources.NEEDS_DATA_ROOT): "imported" is a folder the
# dataset importer wrote (MEDIA_ROOT/datasets/<id>), the others a raw source folder or ZIP.
DATASETS_NEEDING_ROOT = ("imported", "fonts", "notmnist", "folder")

RUN_DEFAULTS = {
    "dataset": "mnist",
    "data_root": None,
    "epochs": 10,
    "steps_per_epoch": None,  # None = one pass over the data
    "seed": 0,
    "balanced": False,
    "distinct_forms": False,  # emnist-pool-cased: train I and i only on forms that cannot pass for l (ml.data.forms)
    "mixed_precision": False,
    "lr_decay_start": None,  # fraction of the run after which both learning rates fall linearly to 0 (ml.train.schedule)
    # "alternating": D steps, then G steps on fresh noise through the updated D (the seeds' way).
    # "simultaneous": one G forward and one D pass serve both updates (about 1.3x fewer FLOPs).
    "update": "alternating",
    "log_every": 50,  # steps between step-level sink reports and should_stop() polls
    "eval_images": 1000,  # cheap per-epoch evaluation size (needs an evaluator)
    "grid_per_class": 8,
}


class ConfigError(ValueError):
    """Bad training configuration; the message lists every problem found."""


def _check_optimizer(key: str, opt, problems: list[str]) -> None:
    if not isinstance(opt, dict) or opt.get("name") not in OPTIMIZERS:
        problems.append(f"{key}.name must be one of {', '.join(OPTIMIZERS)}")
        return
    lr = opt.get("learning_rate", 2e-4)
    if not isinstance(lr, int | float) or not 0 < lr <= 1:
        problems.append(f"{key}.learning_rate must be a number in (0, 1]")
    for beta in ("beta_1", "beta_2", "momentum", "rho"):
        if beta in opt and (not isinstance(opt[beta], int | float) or not 0 <= opt[beta] < 1):
            problems.append(f"{key}.{beta} must be in [0, 1)")
    unknown = set(opt) - {"name", "learning_rate", "beta_1", "beta_2", "momentum", "rho", "nesterov"}
    if unknown:
        problems.append(f"{key} has unknown keys: {', '.join(sorted(unknown))}")


def _int_in(cfg, key, lo, hi, problems, allow_none=False):
    value = cfg.get(key)
    if value is None and allow_none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        problems.append(f"{key} must be an integer from {lo} to {hi}")


def validate_config(raw: dict) -> dict:
    """Fill defaults for the chosen architecture and check every option; return the full config."""
    if not isinstance(raw, dict):
        raise ConfigError("config must be a JSON object")
    arch = raw.get("architecture", "cgan-strong")
    if arch not in catalog.ARCHITECTURES:
        raise ConfigError(f"unknown architecture {arch!r}; valid names: {', '.join(catalog.names())}")
    cfg = {**copy.deepcopy(RUN_DEFAULTS), **copy.deepcopy(catalog.defaults_for(arch)), **copy.deepcopy(raw)}
    cfg["architecture"] = arch
    problems: list[str] = []
    known = set(RUN_DEFAULTS) | set(catalog.defaults_for(arch)) | {"architecture"}
    unknown = set(cfg) - known
    if unknown:
        problems.append(f"unknown options for {arch}: {', '.join(sorted(unknown))}")
    if cfg["dataset"] not in DATASETS:
        problems.append(f"dataset must be one of {', '.join(DATASETS)}")
    if cfg["data_root"] is not None and (not isinstance(cfg["data_root"], str) or not cfg["data_root"].strip()):
        problems.append("data_root must be null or a path")
    elif cfg["dataset"] in DATASETS_NEEDING_ROOT and not cfg["data_root"]:
        problems.append(f"dataset {cfg['dataset']!r} needs data_root: the path of its files")
    _int_in(cfg, "epochs", 1, 10_000, problems)
    _int_in(cfg, "batch_size", 1, 65_536, problems)
    _int_in(cfg, "steps_per_epoch", 1, 10_000_000, problems, allow_none=True)
    _int_in(cfg, "seed", 0, 2**31 - 1, problems)
    _int_in(cfg, "latent_dim", 1, 4096, problems)
    _int_in(cfg, "log_every", 1, 1_000_000, problems)
    _int_in(cfg, "eval_images", 0, 1_000_000, problems)
    _int_in(cfg, "grid_per_class", 1, 32, problems)
    for key in ("g_width", "d_width"):
        if key in cfg:
            _int_in(cfg, key, 4, 1024, problems)
    if "d_pretrain_steps" in cfg:
        _int_in(cfg, "d_pretrain_steps", 0, 1_000_000, problems)
    if cfg["loss"] not in LOSSES:
        problems.append(f"loss must be one of {', '.join(LOSSES)}")
    if cfg["update"] not in UPDATES:
        problems.append(f"update must be one of {', '.join(UPDATES)}")
    decay = cfg["lr_decay_start"]
    if decay is not None and (isinstance(decay, bool) or not isinstance(decay, int | float) or not 0 <= decay < 1):
        problems.append("lr_decay_start must be null or a fraction of the run in [0, 1)")
    ls = cfg["label_smoothing"]
    if not isinstance(ls, int | float) or not 0 <= ls < 0.5:
        problems.append("label_smoothing must be in [0, 0.5)")
    if cfg["ema"] is not None and (not isinstance(cfg["ema"], int | float) or not 0 < cfg["ema"] < 1):
        problems.append("ema must be null or a decay in (0, 1)")
    if not isinstance(cfg["aux_weight"], int | float) or cfg["aux_weight"] < 0:
        problems.append("aux_weight must be a number >= 0")
    if cfg["aux_weight"] and arch != "cgan-strong":
        problems.append("aux_weight needs an architecture with a class head (cgan-strong)")
    for flag in ("conditional", "batch_norm", "balanced", "mixed_precision", "distinct_forms"):
        if not isinstance(cfg[flag], bool):
            problems.append(f"{flag} must be true or false")
    if cfg["distinct_forms"] is True and cfg["dataset"] not in ("emnist-pool-cased", "alnum-cased"):
        problems.append("distinct_forms applies to the emnist-pool-cased and alnum-cased datasets only")
    if not cfg["conditional"] and cfg["aux_weight"]:
        problems.append("an unconditional model cannot use aux_weight")
    for key, allowed in catalog.ARCHITECTURES[arch]["choices"].items():
        if cfg.get(key) not in allowed:
            problems.append(f"{key} must be one of {', '.join(allowed)}")
    _check_optimizer("g_optimizer", cfg["g_optimizer"], problems)
    _check_optimizer("d_optimizer", cfg["d_optimizer"], problems)
    if problems:
        raise ConfigError("; ".join(problems))
    return cfg
